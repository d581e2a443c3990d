package dev.archon.sync.engine;

import java.util.List;
import java.util.stream.Collectors;

/** Preflight said no; nothing was touched on either side. */
public class SyncRefusedException extends RuntimeException {
    private final transient List<Refusal> refusals;

    public SyncRefusedException(List<Refusal> refusals) {
        super(refusals.stream().map(Refusal::message).collect(Collectors.joining("; ")));
        this.refusals = List.copyOf(refusals);
    }

    public List<Refusal> refusals() {
        return refusals;
    }
}
