package dev.archon.sync.engine;

import com.fasterxml.jackson.annotation.JsonValue;

public enum SyncStatus {
    RUNNING, COMPLETED, FAILED, CANCELLED, REFUSED;

    public boolean isFinal() {
        return this != RUNNING;
    }

    @JsonValue
    public String wire() {
        return name().toLowerCase();
    }
}
