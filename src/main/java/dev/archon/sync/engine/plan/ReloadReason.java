package dev.archon.sync.engine.plan;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.archon.sync.pg.TableName;

/**
 * Why a table is reloaded or left alone. Its JSON value is the reason as the progress object, the report and
 * the history have always said it ("differs", "fresh target", …); a table truncated with its parent names
 * the parent after the words.
 */
public enum ReloadReason {
    /** The fingerprints differ. */
    DIFFERS("differs"),
    /** The target had none of the tables: every one is created and loaded. */
    FRESH_TARGET("fresh target"),
    /** Created on an existing target by a "schema": true sync (another Archon version there), then loaded. */
    CREATED("created on the target"),
    /** Equal, but a TRUNCATE of its FK parent needs it in the same statement (never CASCADE). */
    WITH_PARENT("truncated with its parent"),
    /** Equal, but the user asked for every table to be replaced. */
    FULL("full replace requested"),
    /** Rows from a backup. */
    RESTORE("restore"),
    /** Identical on both sides: left alone. */
    UNCHANGED("unchanged");

    private final String words;

    ReloadReason(String words) {
        this.words = words;
    }

    @JsonValue
    public String words() {
        return words;
    }

    public boolean reload() {
        return this != UNCHANGED;
    }

    /** The table is created in the load transaction: it holds nothing to truncate. */
    public boolean createdBySync() {
        return this == FRESH_TARGET || this == CREATED;
    }

    /** The reason as one string: the words, and for {@link #WITH_PARENT} the parent's name. */
    public String why(TableName parent) {
        return this == WITH_PARENT && parent != null ? words + " " + parent : words;
    }
}
