package com.company.database.schemaversion.aws;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.GenerateMacRequest;
import software.amazon.awssdk.services.kms.model.KmsInvalidMacException;
import software.amazon.awssdk.services.kms.model.MacAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.VerifyMacRequest;
import software.amazon.cloudformation.proxy.ProxyClient;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;

/**
 * Protects resource records against anyone else who may write the parameter (ssm:PutParameter is often
 * granted widely): with the account's HMAC key every stored record ends in a MAC line made by KMS, and a
 * record whose MAC KMS does not confirm is refused. The key never leaves KMS, so only a principal the key
 * policy allows (the type's execution role) can make a record the type will act on.
 *
 * <p>The MAC covers the parameter name as well as the value, so a signed record copied into another
 * resource's parameter does not verify there. It cannot tell an older signed value of the same parameter
 * from the current one (a replay); limiting ssm:PutParameter on the prefix closes that.
 */
public final class RecordIntegrity {
    /** Starts the last line of a signed record; a record body (single-line JSON) never contains it. */
    static final String MAC_LINE = "\nhmac-sha256:";
    /** GenerateMac and VerifyMac take at most 4096 bytes of message. */
    static final int MAX_MESSAGE_BYTES = 4096;

    private final ProxyClient<KmsClient> kms;
    private final String keyArn;

    private RecordIntegrity(ProxyClient<KmsClient> kms, String keyArn) {
        this.kms = kms;
        this.keyArn = keyArn;
    }

    /** Records as they are, unsigned: no key configured. */
    public static RecordIntegrity none() {
        return new RecordIntegrity(null, null);
    }

    public static RecordIntegrity withKey(ProxyClient<KmsClient> kms, String keyArn) {
        if (kms == null || keyArn == null || keyArn.isBlank()) {
            throw new IllegalArgumentException("A KMS client and an HMAC key ARN are needed to sign records");
        }
        return new RecordIntegrity(kms, keyArn);
    }

    public boolean enabled() {
        return keyArn != null;
    }

    /** The value to store for {@code record} under {@code parameterName}. */
    String seal(String parameterName, String record) {
        if (!enabled()) {
            return record;
        }
        try {
            byte[] mac = kms.injectCredentialsAndInvokeV2(GenerateMacRequest.builder()
                    .keyId(keyArn)
                    .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256)
                    .message(SdkBytes.fromByteArray(message(parameterName, record)))
                    .build(), kms.client()::generateMac).mac().asByteArray();
            return record + MAC_LINE + Base64.getEncoder().encodeToString(mac);
        } catch (RuntimeException e) {
            throw translate(e, "sign the resource record " + parameterName);
        }
    }

    /**
     * The record inside a stored value, or empty when the value is not one the type wrote (no MAC, or a MAC
     * KMS rejects). Without a key a stored MAC line is dropped unchecked: the admin chose plain records.
     */
    Optional<String> open(String parameterName, String stored) {
        int at = stored.lastIndexOf(MAC_LINE);
        if (!enabled()) {
            return Optional.of(at < 0 ? stored : stored.substring(0, at));
        }
        if (at < 0) {
            return Optional.empty();
        }
        String record = stored.substring(0, at);
        byte[] mac;
        try {
            mac = Base64.getDecoder().decode(stored.substring(at + MAC_LINE.length()).trim());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (mac.length == 0) {
            return Optional.empty();
        }
        try {
            boolean valid = kms.injectCredentialsAndInvokeV2(VerifyMacRequest.builder()
                    .keyId(keyArn)
                    .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256)
                    .message(SdkBytes.fromByteArray(message(parameterName, record)))
                    .mac(SdkBytes.fromByteArray(mac))
                    .build(), kms.client()::verifyMac).macValid();
            return valid ? Optional.of(record) : Optional.empty();
        } catch (KmsInvalidMacException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            throw translate(e, "verify the resource record " + parameterName);
        }
    }

    /** What the MAC covers: name and value, hashed when longer than KMS takes. */
    static byte[] message(String parameterName, String record) {
        byte[] bytes = (parameterName + "\n" + record).getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_MESSAGE_BYTES) {
            return bytes;
        }
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    private ReconcileException translate(RuntimeException e, String what) {
        if (e instanceof AwsServiceException a) {
            String code = a.awsErrorDetails() == null ? "" : a.awsErrorDetails().errorCode();
            if (a.isThrottlingException() || "ThrottlingException".equals(code)) {
                return new ReconcileException(Reason.THROTTLED, "KMS throttled the call to " + what + "; retrying.", e);
            }
            if ("AccessDeniedException".equals(code) || a.statusCode() == 403) {
                return new ReconcileException(Reason.ACCESS_DENIED, "Not allowed to " + what + " with the record key "
                        + keyArn + " (" + code + "). The execution role needs kms:GenerateMac and kms:VerifyMac on it"
                        + " (registration/registration.yaml grants them).", e);
            }
            return new ReconcileException(Reason.INTERNAL, "KMS could not " + what + " with the record key " + keyArn
                    + " (" + code + "): check that the type configuration's Records.IntegrityKeyArn names an enabled"
                    + " HMAC_256 key in this account and region.", e);
        }
        if (e instanceof SdkClientException) {
            return new ReconcileException(Reason.THROTTLED, "Could not reach KMS to " + what + ": " + e.getMessage(), e);
        }
        return new ReconcileException(Reason.INTERNAL, "Failed to " + what + ": " + e, e);
    }
}
