package dev.zerver.internal.runtime;

import dev.zerver.Decision;
import dev.zerver.Effect;
import dev.zerver.Join;
import dev.zerver.Need;
import dev.zerver.Step;
import dev.zerver.spi.EffectFailure;
import dev.zerver.internal.record.MutableEffectRecord;
import dev.zerver.internal.record.MutableNeedRecord;
import dev.zerver.telemetry.SlotWrite;

/**
 * The join of one Need: counts finished effects, writes their results into slots until the join
 * is decided, and says what the finishing effect job does next. Effects finish on different
 * threads, so its state is guarded by its monitor (one short section per finished effect).
 */
final class NeedExecution {
    /** What the job of a finishing effect does next. */
    record Next(Kind kind, int index) {
        enum Kind { NOTHING, DISPATCH, RESUME }

        static final Next NOTHING = new Next(Kind.NOTHING, -1);
        static final Next RESUME = new Next(Kind.RESUME, -1);
    }

    final RequestExecution request;
    final Need need;
    final MutableNeedRecord record;
    /** The pipeline step that owns this Need; the continuation has its slot access. */
    final Step step;
    final int stepIndex;
    final int stepSequence;
    private final int total;
    private final int requiredTotal;
    private int succeeded;
    private int failed;
    private int requiredSucceeded;
    private boolean decided;
    private boolean success;
    private EffectFailure failure;
    private Effect failedEffect;
    private int continuationSequence;

    NeedExecution(RequestExecution request, Need need, MutableNeedRecord record, Step step, int stepIndex, int stepSequence) {
        this.request = request;
        this.need = need;
        this.record = record;
        this.step = step;
        this.stepIndex = stepIndex;
        this.stepSequence = stepSequence;
        this.total = need.effects().size();
        int required = 0;
        for (Effect e : need.effects()) {
            if (e.isRequired()) {
                required++;
            }
        }
        this.requiredTotal = required;
    }

    /**
     * An effect finished: successfully with {@code value} (already converted to its slot's type),
     * or with {@code failure}.
     */
    synchronized Next finished(int index, MutableEffectRecord effectRecord, Object value, long sizeBytes, EffectFailure f) {
        Effect effect = need.effects().get(index);
        if (decided) {
            effectRecord.late();
            return Next.NOTHING;
        }
        if (f == null) {
            succeeded++;
            if (effect.isRequired()) {
                requiredSucceeded++;
            }
            if (effect.slot() != null && value != null) {
                request.context().putFromEffect(effect.slot(), value);
                effectRecord.slotWrite(new SlotWrite(effect.slot().name(), sizeBytes, now(), sizeBytes < 0 ? value : null));
            }
        } else {
            failed++;
        }
        boolean requiredFailure = f != null && effect.isRequired();
        Join join = need.joinStrategy();
        int finished = succeeded + failed;
        if (requiredFailure && (join != Join.ANY || finished == 1)) {
            return decide(false, f, effect);
        }
        switch (join) {
            case ALL:
                if (finished == total) {
                    return decide(true, null, null);
                }
                break;
            case ALL_REQUIRED:
                if (requiredTotal == 0 ? finished == total : requiredSucceeded == requiredTotal) {
                    return decide(true, null, null);
                }
                break;
            case ANY:
                return decide(true, null, null);
            case FIRST_SUCCESS:
                if (f == null) {
                    return decide(true, null, null);
                }
                if (finished == total) {
                    return decide(false, f, effect);
                }
                break;
            default:
                throw new IllegalStateException("unknown join " + join);
        }
        if (need.mode() == dev.zerver.Mode.SEQUENTIAL && index + 1 < total) {
            return new Next(Next.Kind.DISPATCH, index + 1);
        }
        return Next.NOTHING;
    }

    /** An effect was abandoned because its request was cancelled: nothing resumes. */
    synchronized void cancelled() {
        decided = true;
    }

    private Next decide(boolean ok, EffectFailure f, Effect effect) {
        decided = true;
        success = ok;
        failure = f;
        failedEffect = effect;
        record.joined(now(), succeeded, failed, ok);
        if (request.isCancelled()) {
            return Next.NOTHING;
        }
        continuationSequence = request.record().nextSequence();
        return Next.RESUME;
    }

    private long now() {
        return request.clock().nanoTime();
    }

    synchronized boolean succeeded() {
        return success;
    }

    /** The sequence reserved for the continuation step when the join was decided. */
    synchronized int continuationSequence() {
        return continuationSequence;
    }

    /** The request's failure after a failed join: the failing effect's status, its target and error type. */
    synchronized Decision.Fail failureDecision() {
        if (failure == null) {
            return new Decision.Fail(500, "need", "no_success");
        }
        return new Decision.Fail(failure.status(), failedEffect.target(), failure.type());
    }

    synchronized EffectFailure failure() {
        return failure;
    }
}
