package com.company.database.schemaversion.architecture.probe.runner;

import com.company.database.schemaversion.architecture.probe.CreateHandler;

/** Probe: a runner class that reaches for a handler, which the runner's rules must refuse. */
public class RunnerUsesAHandler {
    CreateHandler handler;
}
