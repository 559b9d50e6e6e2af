package com.company.database.schemaversion.aws;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** What SSM's answers mean for the resource. */
final class SsmErrors {
    private SsmErrors() {
    }

    static ReconcileException translate(RuntimeException e, String what) {
        if (e instanceof AwsServiceException a) {
            String code = a.awsErrorDetails() == null ? "" : a.awsErrorDetails().errorCode();
            if (a.isThrottlingException() || "ThrottlingException".equals(code)) {
                return new ReconcileException(Reason.THROTTLED, "SSM throttled " + what + "; retrying.", e);
            }
            if ("AccessDeniedException".equals(code) || a.statusCode() == 403) {
                return new ReconcileException(Reason.ACCESS_DENIED, "Not allowed to " + what + " (" + code
                        + "). The type's execution role needs the SSM and KMS permissions listed in resource-role.yaml.", e);
            }
            return new ReconcileException(Reason.INTERNAL, "SSM failed to " + what + ": " + code + " " + a.statusCode(), e);
        }
        if (e instanceof SdkClientException) {
            return new ReconcileException(Reason.THROTTLED, "Could not reach SSM to " + what + ": " + e.getMessage(), e);
        }
        return new ReconcileException(Reason.INTERNAL, "Failed to " + what + ": " + e, e);
    }
}
