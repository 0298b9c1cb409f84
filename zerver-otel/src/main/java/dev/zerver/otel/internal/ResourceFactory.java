package dev.zerver.otel.internal;

import dev.zerver.otel.OtelSettings;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.resources.Resource;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

/** The resource of contract section 3: detected process facts, then the configured attributes. */
public final class ResourceFactory {
    private ResourceFactory() {}

    public static Resource create(OtelSettings settings) {
        AttributesBuilder a = Attributes.builder()
                .put("service.version", settings.serviceVersion())
                .put("service.instance.id", UUID.randomUUID().toString())
                .put("deployment.environment.name", settings.deploymentEnvironment())
                .put("host.name", hostName())
                .put("process.pid", ProcessHandle.current().pid())
                .put("process.runtime.name", System.getProperty("java.runtime.name", "Java"))
                .put("process.runtime.version", System.getProperty("java.runtime.version", Runtime.version().toString()));
        settings.resourceAttributes().forEach(a::put);
        if (settings.serviceName() != null) {
            a.put("service.name", settings.serviceName());
        }
        // Resource.getDefault() brings telemetry.sdk.{name,language,version} and the default service.name.
        return Resource.getDefault().merge(Resource.create(a.build()));
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
