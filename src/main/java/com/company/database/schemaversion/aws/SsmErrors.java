package com.company.database.schemaversion.aws;

import com.company.database.schemaversion.core.Fact;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** What SSM's answers mean for the resource. */
final class SsmErrors {
    private static final String SERVICE = "SSM";
    private SsmErrors() {
    }

    static ReconcileException translate(RuntimeException e, String what) {
        if (e instanceof AwsServiceException a) {
            String code = a.awsErrorDetails() == null ? "" : a.awsErrorDetails().errorCode();
            if (a.isThrottlingException() || "ThrottlingException".equals(code)) {
                return new ReconcileException(Reason.THROTTLED, "SSM throttled " + what + "; retrying.", e,
                        ServiceFacts.answered(SERVICE, a, Fact.ServiceCondition.THROTTLED));
            }
            if ("AccessDeniedException".equals(code) || a.statusCode() == 403) {
                return new ReconcileException(Reason.ACCESS_DENIED, "Not allowed to " + what + " (" + code
                        + "). The type's execution role needs the SSM and KMS permissions listed in resource-role.yaml.", e,
                        ServiceFacts.answered(SERVICE, a, Fact.ServiceCondition.ACCESS_DENIED));
            }
            return new ReconcileException(Reason.INTERNAL, "SSM failed to " + what + ": " + code + " " + a.statusCode(), e,
                    ServiceFacts.answered(SERVICE, a, Fact.ServiceCondition.FAILED));
        }
        if (e instanceof SdkClientException c && ServiceFacts.unreachable(c)) {
            return new ReconcileException(Reason.SERVICE_UNREACHABLE, "Could not reach SSM to " + what + ": "
                    + e.getMessage(), e, ServiceFacts.notReached(SERVICE));
        }
        return new ReconcileException(Reason.INTERNAL, "Failed to " + what + ": " + e, e);
    }
}
