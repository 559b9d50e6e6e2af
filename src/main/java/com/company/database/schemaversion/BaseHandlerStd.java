package com.company.database.schemaversion;

import com.company.database.schemaversion.aws.LambdaRunners;
import com.company.database.schemaversion.aws.SsmLogins;
import com.company.database.schemaversion.aws.SsmRecordStore;
import com.company.database.schemaversion.core.Budget;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.core.Reconciler;
import com.company.database.schemaversion.policy.AccountPolicy;
import com.company.database.schemaversion.engine.FlywayLog;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.cloudformation.Action;
import software.amazon.cloudformation.proxy.AmazonWebServicesClientProxy;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.ProgressEvent;
import software.amazon.cloudformation.proxy.ProxyClient;
import software.amazon.cloudformation.proxy.ResourceHandlerRequest;

import java.util.Map;

/**
 * What every handler shares: the AWS adapters bound to the caller's credentials, the resource's record and
 * owner, and the single translation of failures into CloudFormation answers. The execution mode is chosen
 * once per request ({@link ExecutionMode#of}).
 */
public abstract class BaseHandlerStd extends BaseHandler<CallbackContext, TypeConfigurationModel> {
    public static final Reconciler RECONCILER = new Reconciler();

    private final HandlerEnvironment environment;

    /**
     * The adapters of one request, and its time budget, started when the call began: a Create that claims first
     * and then migrates in the same call must not get a fresh budget for the migrations.
     */
    public record Services(SsmRecordStore records, SsmLogins logins, String region, ProxyClient<SsmClient> ssm,
                    LambdaRunners runners, ProxyClient<LambdaClient> invoker, ProxyClient<EcsClient> ecs,
                    AccountPolicy policy, Budget budget, HandlerEnvironment environment) {
    }

    protected BaseHandlerStd(HandlerEnvironment environment) {
        this.environment = environment;
    }

    /**
     * The five handlers, built for another environment than Lambda's (the local runner, the tests), keyed as the
     * generated wrapper keys its own.
     */
    public static Map<Action, BaseHandlerStd> handlers(HandlerEnvironment environment) {
        return Map.of(Action.CREATE, new CreateHandler(environment), Action.READ, new ReadHandler(environment),
                Action.UPDATE, new UpdateHandler(environment), Action.DELETE, new DeleteHandler(environment),
                Action.LIST, new ListHandler(environment));
    }

    @Override
    public final ProgressEvent<ResourceModel, CallbackContext> handleRequest(
            final AmazonWebServicesClientProxy proxy,
            final ResourceHandlerRequest<ResourceModel> request,
            final CallbackContext callbackContext,
            final Logger logger,
            final TypeConfigurationModel typeConfiguration) {
        Budget budget = environment.newCallBudget();
        CallbackContext ctx = callbackContext != null ? callbackContext : new CallbackContext();
        ProxyClient<SsmClient> ssm = proxy.newProxy(() -> environment.aws().ssm(request.getRegion()));
        AccountPolicy policy = AccountPolicy.of(typeConfiguration);
        Services services = new Services(RecordProtection.recordStore(proxy, ssm, environment.aws(), request.getRegion(),
                typeConfiguration, logger),
                new SsmLogins(ssm, policy::checkCredentials), request.getRegion(), ssm,
                new LambdaRunners(proxy.newProxy(() -> environment.aws().lambda(request.getRegion()))),
                proxy.newProxy(() -> environment.aws().invoker(request.getRegion())),
                proxy.newProxy(() -> environment.aws().ecs(request.getRegion())), policy, budget, environment);
        try (FlywayLog.Route flywayLines = FlywayLog.routeTo(logger::log)) {
            return handle(request, ctx, services, logger);
        } catch (ReconcileException e) {
            logger.log(getClass().getSimpleName() + ": " + e.reason() + ": " + e.getMessage());
            return onFailure(e, request, ctx, services, logger);
        } catch (RuntimeException e) {
            logger.log(getClass().getSimpleName() + ": unexpected " + e.getClass().getName() + ": " + e.getMessage());
            return ErrorTranslator.failed(Reason.INTERNAL, "Unexpected error (" + e.getClass().getSimpleName() + "): "
                    + e.getMessage(), null);
        }
    }

    protected abstract ProgressEvent<ResourceModel, CallbackContext> handle(
            ResourceHandlerRequest<ResourceModel> request, CallbackContext ctx, Services services, Logger logger);

    /**
     * The answer to a typed failure. By default Read and List answer at once and name no resource; mutating
     * handlers override it to wait for what is worth waiting for.
     */
    protected ProgressEvent<ResourceModel, CallbackContext> onFailure(ReconcileException e,
                                                                      ResourceHandlerRequest<ResourceModel> request,
                                                                      CallbackContext ctx, Services services, Logger logger) {
        return ErrorTranslator.toEvent(e, null, ErrorRules.Mode.of(request.getDesiredResourceState()), ctx, false, 0,
                services.environment().clock());
    }

    /** A failure of an operation on an existing resource: wait if worth it, naming the resource while waiting. */
    protected static ProgressEvent<ResourceModel, CallbackContext> waitOrFail(ReconcileException e, ResourceModel named,
                                                                              CallbackContext ctx, Services services) {
        int wait = named == null || named.getDatabase() == null ? 0 : Translator.connectWaitMinutes(named);
        return ErrorTranslator.toEvent(e, named, ctx, true, wait, services.environment().clock());
    }

    /**
     * The resource's record, if the request may act on it: Read, Update and Delete find only what exists and
     * belongs to the requesting stack. Another stack's resource is NotFound, exactly as a missing one, so a
     * rollback of one stack can never touch another's. A request without a stack (Cloud Control) may read any
     * resource, but changes only resources that no stack owns.
     */
    protected static Translator.Record ownedRecord(String id, ResourceHandlerRequest<ResourceModel> request,
                                                   boolean readOnly, Services services) {
        if (id == null) {
            throw new ReconcileException(Reason.NOT_FOUND, "No Id given and none can be derived: nothing to act on.");
        }
        Translator.Record record = services.records().get(id).flatMap(Translator::fromRecord).orElse(null);
        boolean mayAct = record != null && (record.owner() == null ? request.getStackId() == null
                : record.owner().ownedBy(request) || readOnly && request.getStackId() == null);
        if (!mayAct) {
            throw new ReconcileException(Reason.NOT_FOUND, "Resource " + id + " does not exist"
                    + (request.getStackId() == null ? "" : " in stack " + request.getStackId())
                    + ": it was never created, was deleted, or belongs to another stack.");
        }
        return new Translator.Record(record.model().toBuilder().id(id).build(), record.owner(), record.runnerCode(),
                record.runnerExtraCa());
    }

    /** The Id the request names, or the one its properties derive (an Update or Delete without Id). */
    protected static String idOf(ResourceModel given, ResourceModel previous) {
        if (given != null && given.getId() != null) {
            return given.getId();
        }
        if (previous != null && previous.getId() != null) {
            return previous.getId();
        }
        return given == null || given.getDatabase() == null || given.getDatabase().getHost() == null
                || given.getDatabase().getName() == null ? null : Translator.idOf(given);
    }
}
