//! Criterion micro-benchmarks for token signatures: signing a client_credentials access token's
//! claims and verifying the result, with each algorithm a tenant can choose.
#![allow(
    clippy::expect_used,
    reason = "a benchmark whose keys cannot be made has nothing to measure"
)]

use std::hint::black_box;
use std::time::Duration;

use authhero::keys::{self, Expected, KeySet};
use authhero_core::Timestamp;
use authhero_core::entities::SigningAlgorithm;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Map, Value, json};

const ALGORITHMS: [SigningAlgorithm; 3] = [
    SigningAlgorithm::RS256,
    SigningAlgorithm::ES256,
    SigningAlgorithm::EdDSA,
];

const ISSUER: &str = "https://auth.example.com/";
const AUDIENCE: &str = "https://api.example.com/";

/// The claims `/oauth/token` puts in a client_credentials access token.
fn claims() -> Map<String, Value> {
    let now = Timestamp::now().unix_seconds();
    let claims = json!({
        "iss": ISSUER,
        "sub": "Zq3f8sVbWm2LxN7cRt5yHj1kPd9uGe4a@clients",
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 86_400,
        "scope": "read:things write:things",
        "gty": "client-credentials",
        "azp": "Zq3f8sVbWm2LxN7cRt5yHj1kPd9uGe4a",
    });
    match claims {
        Value::Object(claims) => claims,
        _ => Map::new(),
    }
}

fn signing(c: &mut Criterion) {
    let now = Timestamp::now();
    let generated: Vec<_> = ALGORITHMS
        .iter()
        .map(|algorithm| keys::generate(*algorithm, now).expect("key generation"))
        .collect();
    let keys = KeySet::new(&generated).expect("key set");
    let claims = claims();
    let expected = Expected {
        issuer: ISSUER,
        audience: Some(AUDIENCE),
        unexpired: true,
    };

    let mut group = c.benchmark_group("sign");
    for algorithm in ALGORITHMS {
        group.bench_function(format!("{algorithm:?}"), |b| {
            b.iter(|| keys.sign(algorithm, black_box(&claims)))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("verify");
    for algorithm in ALGORITHMS {
        let token = keys.sign(algorithm, &claims).expect("signing");
        // A token that does not verify would measure the refusal path instead.
        assert!(keys.verify(&token, &expected).is_ok(), "{algorithm:?}");
        group.bench_function(format!("{algorithm:?}"), |b| {
            b.iter(|| keys.verify(black_box(&token), &expected))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // Short runs: six cases, each stable within a couple of seconds.
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = signing
}
criterion_main!(benches);
