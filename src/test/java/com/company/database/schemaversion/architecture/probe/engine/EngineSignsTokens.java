package com.company.database.schemaversion.architecture.probe.engine;

/** Probe: an engine class using the SigV4 signer only, as IamAuthTokens does; the engine rule allows it. */
public class EngineSignsTokens {
    software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner signer;
}
