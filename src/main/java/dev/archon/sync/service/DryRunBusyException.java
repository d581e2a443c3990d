package dev.archon.sync.service;

/** Another dry run is validating in this instance: dry runs go one at a time (they read every table). */
public class DryRunBusyException extends RuntimeException {
    public DryRunBusyException() {
        super("a dry run is validating already: wait for its answer, then ask again");
    }
}
