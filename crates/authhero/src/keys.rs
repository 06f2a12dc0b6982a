//! Signing keys: generating RS256, ES256 and EdDSA key pairs, publishing them as a JWKS, and
//! signing and verifying JWS with the keys kept parsed in memory, so no token re-reads the
//! database or re-parses a key.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use authhero_core::entities::{SigningAlgorithm, SigningKey};
use authhero_core::ports::SigningKeysRepository;
use authhero_core::{Error, Result, Timestamp};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::error::KeyRejected;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, ED25519, EcdsaKeyPair,
    Ed25519KeyPair, KeyPair as _, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256,
};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use bytes::Bytes;
use jsonwebtoken::{Algorithm, Header};
use serde_json::{Map, Value, json};
use tokio::sync::RwLock;

use crate::random;

/// A new key pair for `algorithm` (RSA-2048, P-256 or Ed25519), stored as PKCS#8 and SPKI PEM.
pub fn generate(algorithm: SigningAlgorithm, now: Timestamp) -> Result<SigningKey> {
    let failed = |what: &str| Error::internal(format!("{algorithm:?} key generation: {what}"));
    let (private, public) = match algorithm {
        SigningAlgorithm::RS256 => {
            let pair =
                RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| failed("generate failed"))?;
            let private = pair.as_der().map_err(|_| failed("no PKCS#8"))?;
            let public = pair.public_key().as_der().map_err(|_| failed("no SPKI"))?;
            (private.as_ref().to_vec(), public.as_ref().to_vec())
        }
        SigningAlgorithm::ES256 => {
            let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
                .map_err(|_| failed("generate failed"))?;
            let private = pair.to_pkcs8v1().map_err(|_| failed("no PKCS#8"))?;
            let public = pair.public_key().as_der().map_err(|_| failed("no SPKI"))?;
            (private.as_ref().to_vec(), public.as_ref().to_vec())
        }
        SigningAlgorithm::EdDSA => {
            let pair = Ed25519KeyPair::generate().map_err(|_| failed("generate failed"))?;
            let private = pair.to_pkcs8v1().map_err(|_| failed("no PKCS#8"))?;
            let public = pair.public_key().as_der().map_err(|_| failed("no SPKI"))?;
            (private.as_ref().to_vec(), public.as_ref().to_vec())
        }
    };
    Ok(SigningKey {
        kid: random::token(16),
        algorithm,
        private_key: pem("PRIVATE KEY", &private),
        public_key: pem("PUBLIC KEY", &public),
        cert: None,
        fingerprint: None,
        thumbprint: None,
        created_at: now,
        revoked_at: None,
    })
}

/// Stores a new key for `algorithm` unless an unrevoked one exists; true when one was made.
pub async fn ensure(
    repository: &dyn SigningKeysRepository,
    algorithm: SigningAlgorithm,
    now: Timestamp,
) -> Result<bool> {
    let exists = repository
        .list()
        .await?
        .iter()
        .any(|key| key.algorithm == algorithm && key.revoked_at.is_none());
    if exists {
        return Ok(false);
    }
    repository.create(generate(algorithm, now)?).await?;
    Ok(true)
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut text = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        text.push_str(&String::from_utf8_lossy(line));
        text.push('\n');
    }
    text.push_str(&format!("-----END {label}-----\n"));
    text
}

fn pem_der(text: &str) -> Result<Vec<u8>> {
    let body: String = text
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    STANDARD
        .decode(body)
        .map_err(|_| Error::internal("a stored key is not PEM"))
}

/// The JOSE algorithm of a stored key's algorithm.
fn jose(algorithm: SigningAlgorithm) -> Algorithm {
    match algorithm {
        SigningAlgorithm::RS256 => Algorithm::RS256,
        SigningAlgorithm::ES256 => Algorithm::ES256,
        SigningAlgorithm::EdDSA => Algorithm::EdDSA,
    }
}

/// A private key, parsed and validated once: parsing an RSA key costs more than signing with it.
enum PrivateKey {
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

impl PrivateKey {
    fn parse(key: &SigningKey) -> Result<Self> {
        let der = pem_der(&key.private_key)?;
        let parsed = match key.algorithm {
            SigningAlgorithm::RS256 => RsaKeyPair::from_pkcs8(&der).map(Self::Rsa).ok(),
            SigningAlgorithm::ES256 => {
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der)
                    .map(Self::Ecdsa)
                    .ok()
            }
            SigningAlgorithm::EdDSA => Ed25519KeyPair::from_pkcs8(&der).map(Self::Ed25519).ok(),
        };
        parsed.ok_or_else(|| Error::internal(format!("signing key {} does not parse", key.kid)))
    }

    /// The public JWK members of this key (`kty`, `crv`, `n`/`e` or `x`/`y`) and the parsed
    /// public key that verifies its signatures. Parsed once: building an RSA public key (its
    /// Montgomery constants) per token cost more than the verification itself.
    fn public_half(&self) -> std::result::Result<(Value, ParsedPublicKey), KeyRejected> {
        match self {
            Self::Rsa(pair) => {
                let public = pair.public_key();
                let n = URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero());
                let e = URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero());
                let parsed = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, public.as_ref())?;
                Ok((json!({ "kty": "RSA", "n": n, "e": e }), parsed))
            }
            Self::Ecdsa(pair) => {
                // The uncompressed point: 0x04, then x and y, 32 bytes each on P-256.
                let point = pair.public_key().as_ref();
                let coordinates = point.get(1..).unwrap_or_default();
                let (x, y) = coordinates.split_at(coordinates.len() / 2);
                let (x, y) = (URL_SAFE_NO_PAD.encode(x), URL_SAFE_NO_PAD.encode(y));
                let parsed = ParsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)?;
                Ok((
                    json!({ "kty": "EC", "crv": "P-256", "x": x, "y": y }),
                    parsed,
                ))
            }
            Self::Ed25519(pair) => {
                let raw = pair.public_key().as_ref();
                let parsed = ParsedPublicKey::new(&ED25519, raw)?;
                let x = URL_SAFE_NO_PAD.encode(raw);
                Ok((json!({ "kty": "OKP", "crv": "Ed25519", "x": x }), parsed))
            }
        }
    }

    /// The JWS signature of `message`: RSASSA-PKCS1-v1_5 with SHA-256, ECDSA P-256 with SHA-256
    /// as the fixed-width `r || s` JWS requires, or Ed25519.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let failed = || Error::internal("signing failed");
        match self {
            Self::Rsa(pair) => {
                let mut signature = vec![0; pair.public_modulus_len()];
                pair.sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    message,
                    &mut signature,
                )
                .map_err(|_| failed())?;
                Ok(signature)
            }
            Self::Ecdsa(pair) => Ok(pair
                .sign(&SystemRandom::new(), message)
                .map_err(|_| failed())?
                .as_ref()
                .to_vec()),
            Self::Ed25519(pair) => Ok(pair.sign(message).as_ref().to_vec()),
        }
    }
}

/// The newest unrevoked key of one algorithm: what tokens of that algorithm are signed with.
struct Signer {
    /// The base64url JOSE header (`alg`, `kid`, `typ`) every token it signs starts with.
    encoded_header: String,
    key: PrivateKey,
}

/// A key that verifies signatures, and the one algorithm it is for.
struct Verifier {
    algorithm: Algorithm,
    key: ParsedPublicKey,
}

/// What a token's claims must say, besides being signed by one of the keys.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    pub issuer: &'a str,
    /// When given, `aud` must be it or an array containing it.
    pub audience: Option<&'a str>,
    /// False only for ID tokens presented however long after they expired (`id_token_hint`).
    pub unexpired: bool,
}

/// Why a token did not verify.
#[derive(Debug, thiserror::Error)]
pub enum Unverified {
    /// No key of the set has the token's `kid` (it may be newer than the set).
    #[error("no known key has the token's kid")]
    UnknownKey,
    #[error("the token is malformed, badly signed, expired, or not for this issuer and audience")]
    Invalid,
}

/// Every unrevoked key, parsed: one signer per algorithm, a verifier per `kid`, and the JWKS.
pub struct KeySet {
    signers: HashMap<SigningAlgorithm, Signer>,
    verifiers: HashMap<String, Verifier>,
    jwks: Value,
    /// `jwks` as served, rendered once.
    jwks_document: Bytes,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySet")
            .field("signs", &self.signers.keys().collect::<Vec<_>>())
            .field("kids", &self.verifiers.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl KeySet {
    /// The set made of `keys`; revoked ones are left out, and the newest key of each algorithm
    /// signs.
    pub fn new(keys: &[SigningKey]) -> Result<Self> {
        let mut unrevoked: Vec<&SigningKey> =
            keys.iter().filter(|key| key.revoked_at.is_none()).collect();
        unrevoked.sort_by_key(|key| key.created_at);
        let mut signers = HashMap::new();
        let mut verifiers = HashMap::new();
        let mut published = Vec::new();
        for key in unrevoked {
            let private = PrivateKey::parse(key)?;
            let algorithm = jose(key.algorithm);
            let (mut jwk, parsed) = private
                .public_half()
                .map_err(|error| Error::internal(format!("signing key {}: {error}", key.kid)))?;
            if let Value::Object(members) = &mut jwk {
                members.insert("kid".into(), key.kid.clone().into());
                members.insert("use".into(), "sig".into());
                members.insert("alg".into(), format!("{:?}", key.algorithm).into());
            }
            published.push(jwk);
            verifiers.insert(
                key.kid.clone(),
                Verifier {
                    algorithm,
                    key: parsed,
                },
            );
            // Oldest first, so the newest of each algorithm is the one left signing.
            signers.insert(
                key.algorithm,
                Signer {
                    encoded_header: encoded_header(algorithm, &key.kid)?,
                    key: private,
                },
            );
        }
        let jwks = json!({ "keys": published });
        let jwks_document = Bytes::from(jwks.to_string());
        Ok(Self {
            signers,
            verifiers,
            jwks,
            jwks_document,
        })
    }

    /// The public halves of every key, as `/.well-known/jwks.json` serves them.
    pub fn jwks(&self) -> &Value {
        &self.jwks
    }

    /// The JWKS as a JSON document, rendered when the set was loaded rather than per request.
    pub fn jwks_document(&self) -> Bytes {
        self.jwks_document.clone()
    }

    /// Whether the set has a key that signs with `algorithm`.
    pub fn signs(&self, algorithm: SigningAlgorithm) -> bool {
        self.signers.contains_key(&algorithm)
    }

    /// `claims` as a compact JWS signed with the newest `algorithm` key, as they are: no claim is
    /// added.
    pub fn sign(&self, algorithm: SigningAlgorithm, claims: &Map<String, Value>) -> Result<String> {
        let signer = self
            .signers
            .get(&algorithm)
            .ok_or_else(|| Error::internal(format!("there is no {algorithm:?} signing key")))?;
        let payload =
            serde_json::to_vec(claims).map_err(|error| Error::internal(error.to_string()))?;
        // The JWS is assembled here rather than by jsonwebtoken::encode, which parses the key
        // anew for every token: for RSA that parse costs several times the signature itself.
        let message = format!(
            "{}.{}",
            signer.encoded_header,
            URL_SAFE_NO_PAD.encode(payload)
        );
        let signature = signer.key.sign(message.as_bytes())?;
        Ok(format!("{message}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }

    /// The claims of `token`, checked against the key its `kid` names with that key's algorithm
    /// only (the header's `alg` must match it), then for `iss`, `exp` and `aud` as `expected`
    /// says. The signature is checked with the key parsed at load, rather than by
    /// jsonwebtoken::decode, which rebuilds the public key for every token.
    pub fn verify(
        &self,
        token: &str,
        expected: &Expected<'_>,
    ) -> std::result::Result<Map<String, Value>, Unverified> {
        fn invalid<E>(_: E) -> Unverified {
            Unverified::Invalid
        }
        let (message, signature) = token.rsplit_once('.').ok_or(Unverified::Invalid)?;
        let (_, payload) = message.split_once('.').ok_or(Unverified::Invalid)?;
        let header = jsonwebtoken::decode_header(token).map_err(invalid)?;
        let kid = header.kid.ok_or(Unverified::Invalid)?;
        let verifier = self.verifiers.get(&kid).ok_or(Unverified::UnknownKey)?;
        if header.alg != verifier.algorithm {
            return Err(Unverified::Invalid);
        }
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(invalid)?;
        verifier
            .key
            .verify_sig(message.as_bytes(), &signature)
            .map_err(invalid)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(invalid)?;
        let claims: Map<String, Value> = serde_json::from_slice(&payload).map_err(invalid)?;
        if claims.get("iss").and_then(Value::as_str) != Some(expected.issuer) {
            return Err(Unverified::Invalid);
        }
        if expected.unexpired {
            let exp = claims.get("exp").and_then(Value::as_i64);
            if exp.is_none_or(|exp| exp < Timestamp::now().unix_seconds()) {
                return Err(Unverified::Invalid);
            }
        }
        if let Some(audience) = expected.audience {
            let matches = match claims.get("aud") {
                Some(Value::String(aud)) => aud == audience,
                Some(Value::Array(auds)) => auds.iter().any(|aud| aud.as_str() == Some(audience)),
                _ => false,
            };
            if !matches {
                return Err(Unverified::Invalid);
            }
        }
        Ok(claims)
    }
}

/// The base64url JOSE header of tokens signed by the key `kid`.
fn encoded_header(algorithm: Algorithm, kid: &str) -> Result<String> {
    let mut header = Header::new(algorithm);
    header.kid = Some(kid.to_owned());
    header.typ = Some("JWT".into());
    let json = serde_json::to_vec(&header).map_err(|error| Error::internal(error.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}

/// How long a loaded set is trusted before a token naming an unknown `kid` may reload it: keys
/// another node added show up, while made-up kids cannot send every request to the database.
const RELOAD_AFTER_UNKNOWN_KID: Duration = Duration::from_secs(5);

/// The signing keys in memory, loaded on first use and after a change.
#[derive(Debug)]
pub struct KeyCache {
    repository: Arc<dyn SigningKeysRepository>,
    loaded: RwLock<Option<Loaded>>,
}

#[derive(Debug)]
struct Loaded {
    keys: Arc<KeySet>,
    at: Instant,
}

impl KeyCache {
    pub fn new(repository: Arc<dyn SigningKeysRepository>) -> Self {
        Self {
            repository,
            loaded: RwLock::new(None),
        }
    }

    pub async fn get(&self) -> Result<Arc<KeySet>> {
        if let Some(loaded) = self.loaded.read().await.as_ref() {
            return Ok(loaded.keys.clone());
        }
        self.reload(None, Duration::ZERO).await
    }

    /// A set that can sign with `algorithm`: the loaded one, or, when it cannot (another node
    /// added the key), the keys read again.
    pub async fn signing(&self, algorithm: SigningAlgorithm) -> Result<Arc<KeySet>> {
        let keys = self.get().await?;
        if keys.signs(algorithm) {
            return Ok(keys);
        }
        self.reload(Some(&keys), Duration::ZERO).await
    }

    /// The claims of `token`, verified with the loaded keys or, for a `kid` they do not know,
    /// with the keys read again (at most every few seconds).
    pub async fn verify(
        &self,
        token: &str,
        expected: &Expected<'_>,
    ) -> Result<std::result::Result<Map<String, Value>, Unverified>> {
        let keys = self.get().await?;
        match keys.verify(token, expected) {
            Err(Unverified::UnknownKey) => {
                let keys = self.reload(Some(&keys), RELOAD_AFTER_UNKNOWN_KID).await?;
                Ok(keys.verify(token, expected))
            }
            verified => Ok(verified),
        }
    }

    /// Forgets the loaded keys, so the next use reads them again.
    pub async fn invalidate(&self) {
        *self.loaded.write().await = None;
    }

    /// Reads the keys again unless someone did since `seen` was handed out, or the loaded set
    /// is younger than `min_age`.
    async fn reload(&self, seen: Option<&Arc<KeySet>>, min_age: Duration) -> Result<Arc<KeySet>> {
        let mut slot = self.loaded.write().await;
        if let Some(loaded) = slot.as_ref() {
            let replaced = seen.is_none_or(|seen| !Arc::ptr_eq(seen, &loaded.keys));
            if replaced || loaded.at.elapsed() < min_age {
                return Ok(loaded.keys.clone());
            }
        }
        let keys = Arc::new(KeySet::new(&self.repository.list().await?)?);
        *slot = Some(Loaded {
            keys: keys.clone(),
            at: Instant::now(),
        });
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> Map<String, Value> {
        let mut claims = Map::new();
        claims.insert("iss".into(), "https://issuer.example.com/".into());
        claims.insert("aud".into(), "api".into());
        claims.insert("exp".into(), (Timestamp::now().unix_seconds() + 60).into());
        claims
    }

    const EXPECTED: Expected<'static> = Expected {
        issuer: "https://issuer.example.com/",
        audience: Some("api"),
        unexpired: true,
    };

    #[test]
    fn each_algorithm_signs_and_verifies_with_its_own_key_only() {
        let now = Timestamp::now();
        let keys: Vec<SigningKey> = [
            SigningAlgorithm::RS256,
            SigningAlgorithm::ES256,
            SigningAlgorithm::EdDSA,
        ]
        .into_iter()
        .map(|algorithm| generate(algorithm, now).unwrap())
        .collect();
        let set = KeySet::new(&keys).unwrap();
        for (key, alg, signature_len) in [
            (&keys[0], "RS256", 256),
            (&keys[1], "ES256", 64),
            (&keys[2], "EdDSA", 64),
        ] {
            let token = set.sign(key.algorithm, &claims()).unwrap();
            let header = jsonwebtoken::decode_header(&token).unwrap();
            assert_eq!(format!("{:?}", header.alg), alg);
            assert_eq!(header.kid.as_deref(), Some(key.kid.as_str()));
            assert_eq!(header.typ.as_deref(), Some("JWT"));
            let signature = token.rsplit('.').next().unwrap();
            assert_eq!(
                URL_SAFE_NO_PAD.decode(signature).unwrap().len(),
                signature_len
            );
            assert_eq!(set.verify(&token, &EXPECTED).unwrap(), claims_of(&token));
        }
        let jwks = set.jwks()["keys"].as_array().unwrap();
        let shape = |jwk: &Value| {
            let mut members: Vec<&str> = jwk
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            members.sort_unstable();
            (jwk["kty"].as_str().unwrap().to_owned(), members.join(","))
        };
        assert_eq!(
            shape(&jwks[0]),
            ("RSA".into(), "alg,e,kid,kty,n,use".into())
        );
        assert_eq!(
            shape(&jwks[1]),
            ("EC".into(), "alg,crv,kid,kty,use,x,y".into())
        );
        assert_eq!(
            shape(&jwks[2]),
            ("OKP".into(), "alg,crv,kid,kty,use,x".into())
        );
    }

    fn claims_of(token: &str) -> Map<String, Value> {
        let payload = token.split('.').nth(1).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
    }

    #[test]
    fn a_header_naming_another_algorithm_than_its_key_is_refused() {
        let now = Timestamp::now();
        let ec = generate(SigningAlgorithm::ES256, now).unwrap();
        let ed = generate(SigningAlgorithm::EdDSA, now).unwrap();
        let set = KeySet::new(&[ec.clone(), ed]).unwrap();
        let token = set.sign(SigningAlgorithm::EdDSA, &claims()).unwrap();
        // The EdDSA token's payload and signature under a header claiming the ES256 key.
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(ec.kid);
        let forged_header = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).unwrap());
        let (_, rest) = token.split_once('.').unwrap();
        let forged = format!("{forged_header}.{rest}");
        assert!(matches!(
            set.verify(&forged, &EXPECTED),
            Err(Unverified::Invalid)
        ));
        assert!(matches!(
            set.verify("not.a.token", &EXPECTED),
            Err(Unverified::Invalid)
        ));
    }

    #[test]
    fn the_newest_unrevoked_key_of_an_algorithm_signs() {
        let now = Timestamp::now();
        let old = generate(SigningAlgorithm::ES256, now.plus_seconds(-20)).unwrap();
        let new = generate(SigningAlgorithm::ES256, now.plus_seconds(-10)).unwrap();
        let mut revoked = generate(SigningAlgorithm::ES256, now).unwrap();
        revoked.revoked_at = Some(now);
        let set = KeySet::new(&[new.clone(), revoked.clone(), old.clone()]).unwrap();
        let token = set.sign(SigningAlgorithm::ES256, &claims()).unwrap();
        let kid = jsonwebtoken::decode_header(&token).unwrap().kid;
        assert_eq!(kid.as_deref(), Some(new.kid.as_str()));
        assert_eq!(set.jwks()["keys"].as_array().map(Vec::len), Some(2));
        assert!(!set.signs(SigningAlgorithm::RS256));
        assert!(set.sign(SigningAlgorithm::RS256, &claims()).is_err());
    }

    #[test]
    fn issuer_audience_expiry_and_signature_are_all_checked() {
        let key = generate(SigningAlgorithm::RS256, Timestamp::now()).unwrap();
        let set = KeySet::new(&[key]).unwrap();
        let signed = |change: &dyn Fn(&mut Map<String, Value>)| {
            let mut claims = claims();
            change(&mut claims);
            set.sign(SigningAlgorithm::RS256, &claims).unwrap()
        };
        let refused = |token: &str, expected: &Expected<'_>| {
            matches!(set.verify(token, expected), Err(Unverified::Invalid))
        };
        let good = signed(&|_| {});
        assert!(set.verify(&good, &EXPECTED).is_ok());

        let listed = signed(&|claims| {
            claims.insert("aud".into(), json!(["other", "api"]));
        });
        assert!(set.verify(&listed, &EXPECTED).is_ok());
        let other_audience = signed(&|claims| {
            claims.insert("aud".into(), json!(["other"]));
        });
        assert!(refused(&other_audience, &EXPECTED));
        let no_audience = signed(&|claims| {
            claims.remove("aud");
        });
        assert!(refused(&no_audience, &EXPECTED));
        let any_audience = Expected {
            audience: None,
            ..EXPECTED
        };
        assert!(set.verify(&no_audience, &any_audience).is_ok());

        let other_issuer = signed(&|claims| {
            claims.insert("iss".into(), "https://evil.example.com/".into());
        });
        assert!(refused(&other_issuer, &EXPECTED));

        let expired = signed(&|claims| {
            claims.insert("exp".into(), (Timestamp::now().unix_seconds() - 1).into());
        });
        assert!(refused(&expired, &EXPECTED));
        let no_expiry = signed(&|claims| {
            claims.remove("exp");
        });
        assert!(refused(&no_expiry, &EXPECTED));
        let late = Expected {
            unexpired: false,
            ..EXPECTED
        };
        assert!(set.verify(&expired, &late).is_ok());

        // Another payload under the good token's signature.
        let (header, rest) = good.split_once('.').unwrap();
        let (_, signature) = rest.split_once('.').unwrap();
        let mut claims = claims();
        claims.insert("sub".into(), "someone else".into());
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
        assert!(refused(
            &format!("{header}.{payload}.{signature}"),
            &EXPECTED
        ));
        // An unsigned token naming the key.
        assert!(refused(&format!("{header}.{payload}."), &EXPECTED));
    }
}
