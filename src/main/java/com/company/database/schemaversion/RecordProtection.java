package com.company.database.schemaversion;

import com.company.database.schemaversion.aws.AwsClients;
import com.company.database.schemaversion.aws.RecordIntegrity;
import com.company.database.schemaversion.aws.SsmRecordStore;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.cloudformation.proxy.AmazonWebServicesClientProxy;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.ProxyClient;

/**
 * The record store of one request, signed with the account's record key: the one the type configuration names
 * (Records.IntegrityKeyArn), else the one the registration template creates under
 * {@link RecordIntegrity#DEFAULT_KEY_ALIAS}. Only in an account without that key are records plain (and each
 * request logs it): then anyone allowed ssm:PutParameter on the records' prefix can rewrite what Read, Update and
 * Delete act on.
 */
final class RecordProtection {
    private RecordProtection() {
    }

    static SsmRecordStore recordStore(AmazonWebServicesClientProxy proxy, ProxyClient<SsmClient> ssm, AwsClients aws,
                                      String region, TypeConfigurationModel configuration, Logger logger) {
        String keyArn = configuration == null || configuration.getRecords() == null
                ? null : configuration.getRecords().getIntegrityKeyArn();
        ProxyClient<KmsClient> kms = proxy.newProxy(() -> aws.kms(region));
        RecordIntegrity integrity = keyArn == null || keyArn.isBlank() ? RecordIntegrity.withDefaultKey(kms, logger)
                : RecordIntegrity.withKey(kms, keyArn, logger);
        return new SsmRecordStore(ssm, integrity, logger);
    }
}
