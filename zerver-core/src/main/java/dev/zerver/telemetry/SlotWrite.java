package dev.zerver.telemetry;

/**
 * One write into a request slot.
 *
 * @param slot the slot's name
 * @param sizeBytes the written value's size where it is known (bytes, text, an effect's raw
 *     payload), else -1
 * @param atNanos when it was written
 */
public record SlotWrite(String slot, long sizeBytes, long atNanos) {}
