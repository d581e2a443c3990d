package dev.archon.sync.engine;

import com.fasterxml.jackson.annotation.JsonValue;

/** The seed's phases, in the order a sync passes them; each has a share of the progress bar. */
public enum Phase {
    VALIDATING(0, 3),
    BACKING_UP(3, 3),
    EXPORTING(3, 5),
    IMPORTING(5, 65),
    INDEXING(65, 93),
    VERIFYING(93, 99),
    COMPLETED(100, 100);

    private final double startPercent;
    private final double endPercent;

    Phase(double startPercent, double endPercent) {
        this.startPercent = startPercent;
        this.endPercent = endPercent;
    }

    /** Where the progress bar stands when this phase is {@code fraction} done. */
    public double percentAt(double fraction) {
        double f = Math.max(0, Math.min(1, fraction));
        return startPercent + (endPercent - startPercent) * f;
    }

    @JsonValue
    public String wire() {
        return name().toLowerCase();
    }
}
