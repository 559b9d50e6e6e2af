package com.company.database.schemaversion.aws;

import com.company.database.schemaversion.core.Digests;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.GenerateMacRequest;
import software.amazon.awssdk.services.kms.model.KmsInvalidMacException;
import software.amazon.awssdk.services.kms.model.MacAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.kms.model.VerifyMacRequest;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.ProxyClient;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Protects resource records against anyone else who may write the parameter (ssm:PutParameter is often
 * granted widely): with the account's record key every stored record ends in a MAC line made by KMS, and a
 * record whose MAC KMS does not confirm is refused. The key never leaves KMS, so only a principal the key
 * policy allows (the type's execution role) can make a record the type will act on.
 *
 * <p>The record key is the one the type configuration names (Records.IntegrityKeyArn), else the key behind
 * {@link #DEFAULT_KEY_ALIAS}, which the registration template creates: records are signed wherever that
 * template was deployed, with no type configuration. Only when KMS answers NotFound for that alias (no such
 * key in this account and region) are records plain, and each request says so in the log.
 *
 * <p>Whether a record must carry a MAC is decided by KMS (does the key exist), never by the record: a record
 * without a MAC, or with one of an earlier format, is refused whenever the key exists, so rewriting a record
 * cannot downgrade it to an unchecked one. A record with a MAC is never accepted unchecked either, not even
 * when the key has gone.
 *
 * <p>The MAC covers the parameter's name, its value and the SSM version the write produced. A signed value
 * copied into another resource's parameter does not verify there, and neither does an older signed value put
 * back into its own parameter: SSM gives every write a new version (an overwrite the current one plus one), so
 * the restored value sits at a version its MAC does not name. A parameter deleted and created again starts at
 * version 1 again, so its first value would verify once more; the database's own claim on the schema is what
 * holds then.
 */
public final class RecordIntegrity {
    /** The alias the registration template gives the record key; the key the type uses when none is configured. */
    public static final String DEFAULT_KEY_ALIAS = "alias/company-database-schemaversion/records";
    /** Starts the last line of a signed record; a record body (single-line JSON) never contains a line break. */
    static final String MAC_LINE = "\nhmac-sha256-v2:";
    /** What every MAC line starts with, this format's and the earlier one's. */
    private static final String ANY_MAC_LINE = "\nhmac-sha256";
    /** GenerateMac and VerifyMac take at most 4096 bytes of message. */
    static final int MAX_MESSAGE_BYTES = 4096;

    private final ProxyClient<KmsClient> kms;
    private final String keyId;
    private final boolean configured;
    private final Logger logger;
    /** Whether the default alias names a key, once a call of this request has told; always true for a configured key. */
    private Boolean keyFound;

    /**
     * What a stored value holds: the record, or why the type will not act on it and, when the record itself is
     * sound, what puts it right (null: the record must be replaced, see SsmRecordStore).
     */
    public record Opened(String record, String refusal, String remedy) {
        static Opened ok(String record) {
            return new Opened(record, null, null);
        }

        static Opened refused(String why) {
            return new Opened(null, why, null);
        }

        public boolean ok() {
            return refusal == null;
        }
    }

    private RecordIntegrity(ProxyClient<KmsClient> kms, String keyId, boolean configured, Logger logger) {
        if (kms == null || keyId == null || keyId.isBlank()) {
            throw new IllegalArgumentException("A KMS client and a key are needed to sign records");
        }
        this.kms = kms;
        this.keyId = keyId;
        this.configured = configured;
        this.logger = logger;
        this.keyFound = configured ? Boolean.TRUE : null;
    }

    /** The key the admin named (Records.IntegrityKeyArn): it must exist. */
    public static RecordIntegrity withKey(ProxyClient<KmsClient> kms, String keyArn, Logger logger) {
        return new RecordIntegrity(kms, keyArn, true, logger);
    }

    /** The key behind {@link #DEFAULT_KEY_ALIAS}, if this account has one. */
    public static RecordIntegrity withDefaultKey(ProxyClient<KmsClient> kms, Logger logger) {
        return new RecordIntegrity(kms, DEFAULT_KEY_ALIAS, false, logger);
    }

    /**
     * The value to store for {@code record} under {@code parameterName}, signed for the SSM {@code version}
     * the write will produce; plain when this account has no record key.
     */
    String seal(String parameterName, long version, String record) {
        if (Boolean.FALSE.equals(keyFound)) {
            return record;
        }
        byte[] mac;
        try {
            mac = kms.injectCredentialsAndInvokeV2(GenerateMacRequest.builder()
                    .keyId(keyId)
                    .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256)
                    .message(SdkBytes.fromByteArray(message(parameterName, version, record)))
                    .build(), kms.client()::generateMac).mac().asByteArray();
        } catch (NotFoundException e) {
            if (configured) {
                throw translate(e, "sign the resource record " + parameterName);
            }
            noKey();
            return record;
        } catch (RuntimeException e) {
            throw translate(e, "sign the resource record " + parameterName);
        }
        keyFound = true;
        return record + MAC_LINE + Base64.getEncoder().encodeToString(mac);
    }

    /** Whether the last {@link #seal} signed (this account has a record key). */
    boolean signs() {
        return Boolean.TRUE.equals(keyFound);
    }

    /** The record inside the value stored at SSM {@code version} of {@code parameterName}, or why it is refused. */
    Opened open(String parameterName, long version, String stored) {
        int at = stored.lastIndexOf(ANY_MAC_LINE);
        if (at < 0) {
            return keyExists(parameterName) ? Opened.refused("it carries no integrity MAC, although this account's"
                    + " record key " + keyId + " exists (a record written before the key existed, or rewritten outside"
                    + " the type)") : Opened.ok(stored);
        }
        String record = stored.substring(0, at);
        if (!stored.startsWith(MAC_LINE, at)) {
            return Opened.refused("its MAC is of an earlier release of the type, which did not cover the SSM version,"
                    + " so an older value put back would pass it");
        }
        byte[] mac;
        try {
            mac = Base64.getDecoder().decode(stored.substring(at + MAC_LINE.length()).trim());
        } catch (IllegalArgumentException e) {
            mac = new byte[0];
        }
        if (mac.length == 0) {
            return Opened.refused("its MAC line is damaged");
        }
        try {
            verify(message(parameterName, version, record), mac);
            keyFound = true;
            return Opened.ok(record);
        } catch (KmsInvalidMacException e) {
            keyFound = true;
            return Opened.refused("its integrity MAC does not verify for this parameter at SSM version " + version
                    + " (the value was written outside the type, or an older value was put back)");
        } catch (NotFoundException e) {
            if (configured) {
                throw translate(e, "verify the resource record " + parameterName);
            }
            noKey();
            return new Opened(null, "it carries an integrity MAC, but KMS finds no key " + keyId + " to check it with"
                    + " (the alias was deleted?): a signed record is never accepted unchecked", "Put the alias back on"
                    + " the record key (registration/registration.yaml creates it), or name the key in the type"
                    + " configuration's Records.IntegrityKeyArn, and retry.");
        } catch (RuntimeException e) {
            throw translate(e, "verify the resource record " + parameterName);
        }
    }

    /** Whether this account has the record key, asking KMS once per request (a VerifyMac every caller may make). */
    private boolean keyExists(String parameterName) {
        if (keyFound == null) {
            try {
                verify("record key probe".getBytes(StandardCharsets.UTF_8), new byte[32]);
                keyFound = true;
            } catch (KmsInvalidMacException e) {
                keyFound = true;
            } catch (NotFoundException e) {
                if (configured) {
                    throw translate(e, "verify the resource record " + parameterName);
                }
                noKey();
            } catch (RuntimeException e) {
                throw translate(e, "verify the resource record " + parameterName);
            }
        }
        return keyFound;
    }

    private void verify(byte[] message, byte[] mac) {
        boolean valid = kms.injectCredentialsAndInvokeV2(VerifyMacRequest.builder()
                .keyId(keyId)
                .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256)
                .message(SdkBytes.fromByteArray(message))
                .mac(SdkBytes.fromByteArray(mac))
                .build(), kms.client()::verifyMac).macValid();
        if (!valid) {
            // KMS answers an invalid MAC with KMSInvalidMacException; a false here is treated the same.
            throw KmsInvalidMacException.builder().message("MacValid false").build();
        }
    }

    private void noKey() {
        if (keyFound == null) {
            logger.log("No record key in this account: KMS finds no " + DEFAULT_KEY_ALIAS + " (NotFound), so resource"
                    + " records are written and read without an integrity MAC, and anyone allowed ssm:PutParameter on "
                    + SsmRecordStore.PREFIX + " can rewrite what Read, Update and Delete act on. Deploy"
                    + " registration/registration.yaml (it creates the key and its alias) to sign them.");
        }
        keyFound = false;
    }

    /** What the MAC covers: name, SSM version and value, hashed when longer than KMS takes. */
    static byte[] message(String parameterName, long version, String record) {
        byte[] bytes = (parameterName + "\n" + version + "\n" + record).getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_MESSAGE_BYTES) {
            return bytes;
        }
        return Digests.sha256(bytes);
    }

    private ReconcileException translate(RuntimeException e, String what) {
        String key = configured ? "the record key " + keyId + " (the type configuration's Records.IntegrityKeyArn)"
                : "the record key " + keyId + " (created by registration/registration.yaml)";
        if (e instanceof AwsServiceException a) {
            String code = a.awsErrorDetails() == null ? "" : a.awsErrorDetails().errorCode();
            if (a.isThrottlingException() || "ThrottlingException".equals(code)) {
                return new ReconcileException(Reason.THROTTLED, "KMS throttled the call to " + what + "; retrying.", e);
            }
            if ("AccessDeniedException".equals(code) || a.statusCode() == 403) {
                return new ReconcileException(Reason.ACCESS_DENIED, "Not allowed to " + what + " with " + key + " ("
                        + code + "). The execution role needs kms:GenerateMac and kms:VerifyMac on that key"
                        + " (registration/registration.yaml grants them).", e);
            }
            return new ReconcileException(Reason.INTERNAL, "KMS could not " + what + " with " + key + " (" + code
                    + "): check that it names an enabled HMAC_256 key in this account and region.", e);
        }
        if (e instanceof SdkClientException c && ServiceFacts.unreachable(c)) {
            return new ReconcileException(Reason.SERVICE_UNREACHABLE, "Could not reach KMS to " + what + ": "
                    + e.getMessage(), e, ServiceFacts.notReached("KMS"));
        }
        return new ReconcileException(Reason.INTERNAL, "Failed to " + what + ": " + e, e);
    }
}
