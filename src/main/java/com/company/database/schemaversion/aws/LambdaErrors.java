package com.company.database.schemaversion.aws;

import com.company.database.schemaversion.core.Fact;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** What the Lambda API's errors mean for the resource. */
final class LambdaErrors {
    private LambdaErrors() {
    }

    private static final String SERVICE = "Lambda";

    static String code(AwsServiceException e) {
        return ServiceFacts.code(e);
    }

    static String message(AwsServiceException e) {
        return e.awsErrorDetails() == null || e.awsErrorDetails().errorMessage() == null ? e.getMessage()
                : e.awsErrorDetails().errorMessage();
    }

    /**
     * CreateFunction's refusal of a role Lambda cannot assume, which is what a role created seconds ago looks like
     * until IAM has propagated it. The one condition recognised by a service's words: Lambda answers it with the
     * generic InvalidParameterValueException, and its message is the only thing that tells it from a bad subnet.
     */
    static boolean roleNotYetAssumable(AwsServiceException e) {
        return "InvalidParameterValueException".equals(code(e))
                && message(e).toLowerCase(java.util.Locale.ROOT).contains("cannot be assumed");
    }

    static ReconcileException translate(RuntimeException e, String what, String functionName) {
        if (e instanceof ReconcileException re) {
            return re;
        }
        if (e instanceof AwsServiceException a) {
            String code = code(a);
            if (a.isThrottlingException() || "TooManyRequestsException".equals(code) || a.statusCode() == 429) {
                return new ReconcileException(Reason.THROTTLED, "Lambda throttled the request to " + what + " ("
                        + code + ").", e, ServiceFacts.answered(SERVICE, a, Fact.ServiceCondition.THROTTLED));
            }
            if ("AccessDeniedException".equals(code) || "AccessDeniedExceptionException".equals(code) || a.statusCode() == 403) {
                return new ReconcileException(Reason.ACCESS_DENIED, "Not allowed to " + what + " (" + code + ": "
                        + message(a) + "). The type's execution role needs the lambda:*, iam:PassRole and ec2:Describe*"
                        + " permissions listed in resource-role.yaml.", e,
                        ServiceFacts.answered(SERVICE, a, Fact.ServiceCondition.ACCESS_DENIED));
            }
            if ("InvalidParameterValueException".equals(code) || "InvalidSubnetIDException".equals(code)
                    || "InvalidSecurityGroupIDException".equals(code) || "SubnetIPAddressLimitReachedException".equals(code)) {
                return new ReconcileException(Reason.INVALID_INPUT, "Lambda refused to " + what + ": " + message(a)
                        + ". Check Execution.SubnetIds, Execution.SecurityGroupIds and Execution.RoleArn (the role must"
                        + " trust lambda.amazonaws.com and carry AWSLambdaVPCAccessExecutionRole).", e,
                        ServiceFacts.answered(SERVICE, a, Fact.ServiceCondition.REFUSED));
            }
            if ("EniLimitReachedException".equals(code)) {
                return new ReconcileException(Reason.RUNNER_FAILED, "Lambda could not " + what + ": the account's"
                        + " network interface limit is reached (" + message(a) + "). Free ENIs or raise the quota.", e);
            }
            return new ReconcileException(Reason.RUNNER_FAILED, "Lambda failed to " + what + " (function "
                    + functionName + "): " + code + " " + a.statusCode() + ": " + message(a), e,
                    ServiceFacts.answered(SERVICE, a, Fact.ServiceCondition.FAILED));
        }
        if (e instanceof SdkClientException c && ServiceFacts.unreachable(c)) {
            return new ReconcileException(Reason.SERVICE_UNREACHABLE, "Could not reach Lambda to " + what + ": "
                    + e.getMessage(), e, ServiceFacts.notReached(SERVICE));
        }
        return new ReconcileException(Reason.INTERNAL, "Failed to " + what + ": " + e, e);
    }
}
