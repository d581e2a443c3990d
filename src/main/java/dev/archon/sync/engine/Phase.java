package dev.archon.sync.engine;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The seed's phases, in the order a sync passes them; each has a share of the progress bar sized by
 * what it cost in our measurements (at 0.25 scale: backup ≈ 15%, load ≈ 50%, index rebuild ≈ 30% of a
 * sync). A skipped phase's share is simply jumped over, so the bar never moves backwards.
 */
public enum Phase {
    VALIDATING(0, 2),
    BACKING_UP(2, 12),
    EXPORTING(12, 13),
    IMPORTING(13, 65),
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
