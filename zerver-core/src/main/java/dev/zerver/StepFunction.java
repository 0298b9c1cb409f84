package dev.zerver;

/** The body of a step: reads the request and its slots, returns what happens next. */
@FunctionalInterface
public interface StepFunction {
    /**
     * Runs the step. Throwing is a system failure: the request fails with 500 and the step is
     * marked as having broken (not as an application {@link Decision.Fail}).
     */
    Decision apply(Ctx ctx) throws Exception;
}
