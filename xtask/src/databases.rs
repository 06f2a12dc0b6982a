//! Where the conformance suite's database servers come from: the URL environment variables, or
//! throwaway Docker containers started with testcontainers when a Docker engine is available.

use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result};
use testcontainers::core::{IntoContainerPort, WaitFor};
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, GenericImage, Healthcheck, ImageExt};

/// A backend of the conformance suite; its cases are named `<backend>::<case>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    Sqlite,
    Postgres,
    Mysql,
}

impl Backend {
    pub const ALL: [Backend; 3] = [Backend::Sqlite, Backend::Postgres, Backend::Mysql];

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Mysql => "mysql",
        }
    }

    /// The database server the backend's cases need; SQLite runs in-process and needs none.
    fn server(self) -> Option<Server> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres => Some(Server {
                var: "AUTHHERO_TEST_POSTGRES_URL",
                image: "postgres",
                tag: "16-alpine",
                port: 5432,
                env: &[("POSTGRES_PASSWORD", "postgres")],
                ready: &["pg_isready", "-h", "127.0.0.1", "-U", "postgres"],
                url: |port| format!("postgres://postgres:postgres@127.0.0.1:{port}/postgres"),
            }),
            Backend::Mysql => Some(Server {
                var: "AUTHHERO_TEST_MYSQL_URL",
                image: "mariadb",
                tag: "11",
                port: 3306,
                env: &[
                    ("MARIADB_ROOT_PASSWORD", "authhero"),
                    ("MARIADB_DATABASE", "test"),
                ],
                ready: &["mariadb-admin", "ping", "-h", "127.0.0.1", "--silent"],
                url: |port| format!("mysql://root:authhero@127.0.0.1:{port}/test"),
            }),
        }
    }
}

/// How to reach a backend's server, or run a throwaway one.
#[derive(Debug)]
struct Server {
    /// The variable the suite reads the server's URL from.
    var: &'static str,
    image: &'static str,
    tag: &'static str,
    port: u16,
    env: &'static [(&'static str, &'static str)],
    /// A command, run inside the container, that succeeds once the server accepts TCP
    /// connections. Both images initialise on a socket-only server first, so this passes only
    /// once the real server is up.
    ready: &'static [&'static str],
    /// The container's URL, given the host port its server port is published on.
    url: fn(u16) -> String,
}

/// How long a container may take to start and report healthy (image pulls come before this).
const STARTUP_TIMEOUT: Duration = Duration::from_secs(120);

/// The database server URLs for this run, and the containers serving them, kept alive until
/// [`Databases::remove`].
#[derive(Debug)]
pub struct Databases {
    urls: Vec<(Backend, String)>,
    containers: Vec<ContainerAsync<GenericImage>>,
}

impl Databases {
    /// Takes each server's URL from its variable, else starts a container when Docker is
    /// available, else reports that the backend's cases will be skipped.
    pub async fn provision() -> Result<Self> {
        let postgres_url = env_url(Backend::Postgres);
        let mysql_url = env_url(Backend::Mysql);
        let docker = (postgres_url.is_none() || mysql_url.is_none()) && docker_available();
        let (postgres, mysql) = tokio::try_join!(
            resolve(Backend::Postgres, postgres_url, docker),
            resolve(Backend::Mysql, mysql_url, docker),
        )?;
        let mut databases = Databases {
            urls: Vec::new(),
            containers: Vec::new(),
        };
        let resolved = [(Backend::Postgres, postgres), (Backend::Mysql, mysql)];
        for (backend, (url, container)) in resolved {
            databases.urls.extend(url.map(|url| (backend, url)));
            databases.containers.extend(container);
        }
        if databases.urls.is_empty() {
            println!("conformance suite: running SQLite only");
        }
        Ok(databases)
    }

    /// The variable and URL for each server backend, `None` for the URL when it is skipped.
    pub fn env(&self) -> impl Iterator<Item = (&'static str, Option<&str>)> {
        Backend::ALL.into_iter().filter_map(|backend| {
            let server = backend.server()?;
            Some((server.var, self.url(backend)))
        })
    }

    /// Whether `backend`'s cases have a database to run against.
    pub fn available(&self, backend: Backend) -> bool {
        backend == Backend::Sqlite || self.url(backend).is_some()
    }

    fn url(&self, backend: Backend) -> Option<&str> {
        self.urls
            .iter()
            .find(|(candidate, _)| *candidate == backend)
            .map(|(_, url)| url.as_str())
    }

    /// Removes the containers this run started, warning about any that could not be removed.
    pub async fn remove(self) {
        for container in self.containers {
            let id = container.id().to_owned();
            if let Err(error) = container.rm().await {
                eprintln!("warning: cannot remove container {id}: {error}");
            }
        }
    }
}

/// The backend's URL variable, when set and not empty.
fn env_url(backend: Backend) -> Option<String> {
    let var = backend.server()?.var;
    std::env::var(var).ok().filter(|url| !url.is_empty())
}

/// Whether `docker info` reaches an engine.
fn docker_available() -> bool {
    Command::new("docker")
        .arg("info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The backend's URL and, when this run started one, the container serving it.
async fn resolve(
    backend: Backend,
    from_env: Option<String>,
    docker: bool,
) -> Result<(Option<String>, Option<ContainerAsync<GenericImage>>)> {
    let name = backend.name();
    let Some(server) = backend.server() else {
        return Ok((None, None));
    };
    let (var, image, tag) = (server.var, server.image, server.tag);
    if let Some(url) = from_env {
        println!("{name}: using {var}");
        return Ok((Some(url), None));
    }
    if !docker {
        println!("{name}: {var} is unset and no Docker engine is available; skipping its cases");
        return Ok((None, None));
    }
    println!("{name}: {var} is unset; starting a throwaway {image}:{tag} container");
    let container = start(&server)
        .await
        .with_context(|| format!("cannot start a {image}:{tag} container for {name}"))?;
    let port = container
        .get_host_port_ipv4(server.port.tcp())
        .await
        .with_context(|| format!("cannot find the {image}:{tag} container's port"))?;
    let url = (server.url)(port);
    println!("{name}: ready at {url}");
    Ok((Some(url), Some(container)))
}

/// Starts the server's container and waits until it is ready.
async fn start(server: &Server) -> Result<ContainerAsync<GenericImage>> {
    let mut request = GenericImage::new(server.image, server.tag)
        .with_exposed_port(server.port.tcp())
        .with_wait_for(WaitFor::healthcheck())
        .with_health_check(
            Healthcheck::cmd(server.ready.iter().copied())
                .with_interval(Duration::from_secs(1))
                .with_timeout(Duration::from_secs(5))
                .with_retries(100),
        )
        .with_startup_timeout(STARTUP_TIMEOUT);
    for (key, value) in server.env {
        request = request.with_env_var(*key, *value);
    }
    Ok(request.start().await?)
}
