//! Whether a background job is still running. A job runs in the process that accepted it (an
//! import holds its file in memory), so a job whose process stopped cannot go on: while it
//! runs it stamps a heartbeat, and a job read after its heartbeat has gone quiet is reported
//! as failed. Nothing is written by the read, so a job that was only slow still ends as it
//! ends; no sweeper is needed, on one node or many.

use authhero_core::Timestamp;
use authhero_core::entities::Job;

/// How often a running job stamps its heartbeat.
const HEARTBEAT_SECONDS: i64 = 15;
/// How long a heartbeat may be quiet before the job counts as stopped.
const STALLED_AFTER_SECONDS: i64 = 120;

/// What a job that stopped with its process says.
const STOPPED: &str =
    "The job stopped before it finished: the server running it went away. Start it again.";

/// Marks the job as started now.
pub fn start(job: &mut Job, now: Timestamp) {
    job.status = "processing".into();
    job.heartbeat_at = Some(now);
}

/// Stamps the job's heartbeat when the last is due for renewal; whether it did, so the caller
/// stores the job then.
pub fn beat(job: &mut Job, now: Timestamp) -> bool {
    let due = job
        .heartbeat_at
        .is_none_or(|last| last.plus_seconds(HEARTBEAT_SECONDS) <= now);
    if due {
        job.heartbeat_at = Some(now);
    }
    due
}

/// The job as it stands: one still `pending` or `processing` whose heartbeat (or, before the
/// first, its creation) is older than the limit has stopped, and reads as failed.
pub fn current(mut job: Job, now: Timestamp) -> Job {
    let running = matches!(job.status.as_str(), "pending" | "processing");
    let last_sign = job.heartbeat_at.unwrap_or(job.created_at);
    if running && last_sign.plus_seconds(STALLED_AFTER_SECONDS) <= now {
        job.status = "failed".into();
        job.status_details = Some(STOPPED.into());
    }
    job
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heartbeat_is_renewed_only_when_due() {
        let now = Timestamp::now();
        let mut job: Job = serde_json::from_value(serde_json::json!({
            "id": "job_1", "type": "users_import", "status": "pending", "created_at": now,
        }))
        .unwrap_or_else(|error| panic!("{error}"));
        start(&mut job, now);
        assert_eq!(job.status, "processing");
        assert!(!beat(&mut job, now.plus_seconds(1)));
        assert!(beat(&mut job, now.plus_seconds(HEARTBEAT_SECONDS)));
        assert_eq!(job.heartbeat_at, Some(now.plus_seconds(HEARTBEAT_SECONDS)));
    }
}
