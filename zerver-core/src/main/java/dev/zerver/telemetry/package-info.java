/**
 * The per-request telemetry record: what the runtime observed, as plain data, with no
 * OpenTelemetry in it.
 *
 * <p>The runtime writes a {@link dev.zerver.telemetry.RequestRecord} while a request runs: its
 * steps, needs, effects and every job's lifecycle (enqueue, take, start, park/resume episodes,
 * end) on one monotonic clock. Each job's part is written by the one thread that runs the job
 * at the time and handed over through the queues, so no lock is taken per transition. When the
 * response is written and the last job has ended, the finished record goes to every
 * {@link dev.zerver.telemetry.RecordListener}; from then on it is read-only.
 */
package dev.zerver.telemetry;
