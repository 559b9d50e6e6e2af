package com.company.database.schemaversion.core;

/**
 * One step towards a target, as the caller checkpoints it between handler calls: started by
 * {@link SchemaEngine#start}, watched by {@link SchemaEngine#poll} until it finishes, fails or is given up.
 *
 * @param id         the step's key: names its record wherever the engine keeps one, and makes a repeated start harmless
 * @param where      where the step runs, when the engine can say (a task's ARN); null otherwise
 * @param target     the version the step moves towards
 * @param from       the applied version when it started, for progress messages
 * @param progress   {@link Reconciler#progressMark} when it started: a finished step that left it unchanged applied nothing;
 *                   null when unknown (a step found running again after a lost answer)
 * @param startedAt  when the handler started it, epoch millis on the handler's clock
 * @param running    whether the engine has seen the step begin (the runner took it)
 */
public record Step(String id, String where, String target, String from, String progress, long startedAt,
                   boolean running) {

    public Step runningNow() {
        return running ? this : new Step(id, where, target, from, progress, startedAt, true);
    }
}
