//! Multi-step workloads wrk cannot drive: each worker thread is one user agent walking a flow
//! (authorize, login form, code, token) and timing each pass. Workers prepare first, untimed;
//! the clock starts when all are ready.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Barrier, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};

use super::client::Client;
use super::load::Outcome;
use super::urlencode;

/// Where the bench application's codes are delivered; nothing listens there.
pub const CALLBACK: &str = "http://127.0.0.1:9/callback";

/// The application and user a flow signs in with.
#[derive(Debug, Clone)]
pub struct Login {
    pub base: String,
    pub client_id: String,
    pub client_secret: String,
    pub username: String,
    pub password: String,
}

impl Login {
    fn authorize_path(&self) -> String {
        format!(
            "/authorize?response_type=code&client_id={}&redirect_uri={}&scope=openid%20profile%20email&state=bench&nonce=bench",
            urlencode(&self.client_id),
            urlencode(CALLBACK)
        )
    }

    /// The code from a redirect to the callback.
    fn code_from(path: &str) -> Result<String> {
        let query = path.split_once('?').map(|(_, query)| query).unwrap_or("");
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix("code="))
            .map(str::to_owned)
            .with_context(|| format!("no code in {path}"))
    }

    /// Authorize, the login form, and the code it ends with.
    fn log_in(&self, client: &Client) -> Result<String> {
        let login_page = client.get(&self.authorize_path(), None)?.redirect()?;
        let form = client.get(&login_page, None)?;
        let body = format!(
            "state={}&csrf={}&username={}&password={}",
            urlencode(&form.hidden("state")?),
            urlencode(&form.hidden("csrf")?),
            urlencode(&self.username),
            urlencode(&self.password)
        );
        let done = client.post_form("/u/login", &body)?;
        Self::code_from(&done.redirect()?)
    }

    /// The login page a new `/authorize` transaction sends the browser to (its path).
    pub fn login_page(&self, client: &Client) -> Result<String> {
        client.get(&self.authorize_path(), None)?.redirect()
    }

    /// A code from the live session, without the login form.
    fn code_from_session(&self, client: &Client) -> Result<String> {
        Self::code_from(&client.get(&self.authorize_path(), None)?.redirect()?)
    }

    /// Exchanges a code for an access token and an ID token.
    fn exchange(&self, client: &Client, code: &str) -> Result<()> {
        let body = format!(
            "grant_type=authorization_code&client_id={}&client_secret={}&code={code}&redirect_uri={}",
            urlencode(&self.client_id),
            urlencode(&self.client_secret),
            urlencode(CALLBACK)
        );
        let tokens = client.post_form("/oauth/token", &body)?.json()?;
        if tokens["id_token"].is_string() && tokens["access_token"].is_string() {
            Ok(())
        } else {
            bail!("no access and ID token in {tokens}")
        }
    }
}

/// Full password logins: each pass is a new browser (authorize, login form, code exchange).
pub fn password_logins(login: &Login, workers: usize, duration: Duration) -> Result<Outcome> {
    run(
        workers,
        duration,
        |_| Ok(()),
        |()| {
            let browser = Client::new(&login.base);
            let code = login.log_in(&browser)?;
            login.exchange(&browser, &code)?;
            Ok(true)
        },
    )
}

/// Code exchanges alone: each worker logs in once and collects `codes_per_worker` codes from its
/// session first; the timed passes only exchange them. A worker that runs out ends the run.
pub fn code_exchanges(
    login: &Login,
    workers: usize,
    codes_per_worker: usize,
    duration: Duration,
) -> Result<Outcome> {
    run(
        workers,
        duration,
        |_| {
            let browser = Client::new(&login.base);
            login.log_in(&browser)?;
            let codes = (0..codes_per_worker)
                .map(|_| login.code_from_session(&browser))
                .collect::<Result<Vec<_>>>()?;
            Ok((browser, codes))
        },
        |(browser, codes)| match codes.pop() {
            Some(code) => login.exchange(browser, &code).map(|()| true),
            None => Ok(false),
        },
    )
}

/// Runs `pass` on `workers` threads, each with the state `prepare` made, until `duration` ends
/// or a pass reports that its worker has nothing left; passes per second and latencies.
fn run<S>(
    workers: usize,
    duration: Duration,
    prepare: impl Fn(usize) -> Result<S> + Sync,
    pass: impl Fn(&mut S) -> Result<bool> + Sync,
) -> Result<Outcome> {
    let ready = Barrier::new(workers + 1);
    let stop = AtomicBool::new(false);
    let latencies = Mutex::new(Vec::new());
    let failure = Mutex::new(None);
    let fail = |error: anyhow::Error| {
        stop.store(true, Ordering::Relaxed);
        if let Ok(mut slot) = failure.lock() {
            slot.get_or_insert(error);
        }
    };
    let elapsed = std::thread::scope(|scope| {
        for worker in 0..workers {
            let (ready, stop, latencies, prepare, pass, fail) =
                (&ready, &stop, &latencies, &prepare, &pass, &fail);
            scope.spawn(move || {
                let prepared = prepare(worker);
                ready.wait();
                let mut state = match prepared {
                    Ok(state) => state,
                    Err(error) => return fail(error),
                };
                let mut mine = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    match pass(&mut state) {
                        Ok(true) => mine.push(started.elapsed()),
                        Ok(false) => {
                            stop.store(true, Ordering::Relaxed);
                            break;
                        }
                        Err(error) => return fail(error),
                    }
                }
                if let Ok(mut all) = latencies.lock() {
                    all.extend(mine);
                }
            });
        }
        ready.wait();
        let started = Instant::now();
        while !stop.load(Ordering::Relaxed) && started.elapsed() < duration {
            std::thread::sleep(Duration::from_millis(5));
        }
        stop.store(true, Ordering::Relaxed);
        started.elapsed()
    });
    if let Some(error) = failure
        .into_inner()
        .map_err(|_| anyhow!("a worker panicked"))?
    {
        return Err(error);
    }
    let mut latencies = latencies
        .into_inner()
        .map_err(|_| anyhow!("a worker panicked"))?;
    if latencies.is_empty() {
        bail!("no pass completed");
    }
    latencies.sort_unstable();
    let percentile = |p: f64| {
        let index = ((latencies.len() - 1) as f64 * p).round() as usize;
        latencies[index].as_secs_f64() * 1000.0
    };
    Ok(Outcome {
        requests_per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50_ms: percentile(0.50),
        p99_ms: percentile(0.99),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_from_the_callback() {
        assert_eq!(
            Login::code_from("/callback?code=abc&state=bench").unwrap(),
            "abc"
        );
        assert!(Login::code_from("/callback?error=login_required").is_err());
    }

    #[test]
    fn runs_count_passes_and_stop_when_a_worker_runs_dry() {
        let outcome = run(
            2,
            Duration::from_secs(5),
            |_| Ok(3),
            |left: &mut i32| {
                *left -= 1;
                Ok(*left >= 0)
            },
        )
        .unwrap();
        assert!(outcome.requests_per_second > 0.0);
    }
}
