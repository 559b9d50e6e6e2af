package com.company.database.schemaversion.local;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a host plugs into a {@link LocalEcs} when it builds one: the faults ECS and Fargate produce (no capacity,
 * an image that cannot be pulled, a container that exits or is killed for memory, a task ECS no longer knows) and
 * what it wants to see of the calls. {@link #NONE} is ECS behaving well, which is what the local runner uses. Every
 * method is asked at the moment ECS would decide, so a host may change its answers while tasks run.
 */
public interface EcsHooks {
    EcsHooks NONE = new EcsHooks() {
    };

    /** What one container of a task was started with: the local process's command line and environment. */
    record Launch(String taskArn, String container, String image, String imageDigest, List<String> command,
                  Map<String, String> environment) {
    }

    /** How one task goes wrong, chosen when RunTask starts it. */
    record TaskFault(Kind kind, int exitCode, Duration after, String reason) {
        public enum Kind { NONE, EXIT, KILLED_FOR_MEMORY, NEVER_STARTS, LOST, FORGOTTEN_ONCE_STOPPED }

        public static final TaskFault NONE = new TaskFault(Kind.NONE, 0, Duration.ZERO, null);

        /** The essential container exits with this code at once, without running its command. */
        public static TaskFault exitsWith(int code) {
            return new TaskFault(Kind.EXIT, code, Duration.ZERO, null);
        }

        /** The command runs, and its container ends with this code after {@code after}. */
        public static TaskFault exitsWith(int code, Duration after) {
            return new TaskFault(Kind.EXIT, code, after, null);
        }

        /** The command runs and is killed (SIGKILL, exit 137) after {@code after}, as Fargate's OOM killer does. */
        public static TaskFault killedForMemory(Duration after) {
            return new TaskFault(Kind.KILLED_FOR_MEMORY, 137, after, "OutOfMemoryError: Container killed due to memory usage");
        }

        /**
         * The task stays PENDING for {@code pending}, then stops with stopCode TaskFailedToStart and this
         * CannotPullContainerError reason (null: a registry that does not know the image).
         */
        public static TaskFault neverStarts(Duration pending, String reason) {
            return new TaskFault(Kind.NEVER_STARTS, 0, pending, reason);
        }

        /** ECS forgets the task at once: DescribeTasks answers MISSING, ListTasks leaves it out; its command still runs. */
        public static TaskFault lost() {
            return new TaskFault(Kind.LOST, 0, Duration.ZERO, null);
        }

        /**
         * The task runs and stops as usual, and ECS forgets it the moment it stops, as it forgets every stopped
         * task after an hour or so: a caller that looks later finds it MISSING.
         */
        public static TaskFault forgottenOnceStopped() {
            return new TaskFault(Kind.FORGOTTEN_ONCE_STOPPED, 0, Duration.ZERO, null);
        }
    }

    // ---- faults ----------------------------------------------------------------------------------------------

    /** Whether the cluster exists (asked by RunTask, DescribeTasks, StopTask, ListTasks); every one does by default. */
    default boolean clusterExists(String cluster) {
        return true;
    }

    /** Whether the subnet exists (RunTask checks the awsvpcConfiguration's, as ECS does through EC2). */
    default boolean subnetExists(String subnetId) {
        return true;
    }

    default boolean securityGroupExists(String groupId) {
        return true;
    }

    /** Asked once per RunTask call: true answers it with Fargate's capacity failure and starts nothing. */
    default boolean capacityUnavailable() {
        return false;
    }

    /** Asked for each task RunTask starts. */
    default TaskFault taskFault(String taskDefinitionArn, String startedBy) {
        return TaskFault.NONE;
    }

    /** How long a task stays PROVISIONING and PENDING before its image is pulled (Fargate: tens of seconds). */
    default Duration startDelay() {
        return Duration.ZERO;
    }

    /** How long a task whose containers ended stays DEPROVISIONING (detaching its network interface) before STOPPED. */
    default Duration deprovisioning() {
        return Duration.ZERO;
    }

    /** How long StopTask waits after SIGTERM before SIGKILL, given the container's stopTimeout (default 30 s). */
    default Duration stopTimeout(Duration configured) {
        return configured;
    }

    // ---- what the host sees -----------------------------------------------------------------------------------

    /** One API call, as "Operation detail". */
    default void called(String call) {
    }

    /** A container's process started. */
    default void started(Launch launch) {
    }
}
