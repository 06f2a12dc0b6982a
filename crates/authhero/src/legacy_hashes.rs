//! Password hashes made elsewhere, as Auth0's bulk import takes them (`custom_password_hash`):
//! PBKDF2 (PHC strings), LDAP's RFC 2307 forms (`{SSHA}`…), and plain or salted MD5, SHA-1,
//! SHA-256 and SHA-512 digests. Each is stored in one string and verified at login; the login
//! then replaces it with a hash of the server's own algorithm. bcrypt and argon2 hashes are
//! already the server's own kinds and are stored as they come.

use std::num::NonZeroU32;

use authhero_core::entities::PasswordAlgorithm;
use aws_lc_rs::{constant_time, digest, pbkdf2};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use md5::{Digest, Md5};
use serde_json::Value;

/// The prefix of a plain or salted digest as stored here:
/// `$salted$<digest>$<prefix|suffix>$<salt hex>$<hash hex>`.
const SALTED: &str = "$salted$";

/// The most work one imported hash may ask of a login, so that no row can stall or exhaust the
/// server: bcrypt's cost, PBKDF2's iterations, and argon2's memory (KiB), passes and lanes.
const MAX_BCRYPT_COST: u32 = 14;
const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;
pub const MAX_ARGON2_MEMORY_KIB: u32 = 64 * 1024;
pub const MAX_ARGON2_PASSES: u32 = 10;
pub const MAX_ARGON2_LANES: u32 = 4;
/// PBKDF2 output shorter than this would let guesses through by chance.
const MIN_PBKDF2_BYTES: usize = 16;
const MAX_PBKDF2_BYTES: usize = 64;

/// Why a `custom_password_hash` cannot be imported.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct Refused(String);

fn refused(why: impl Into<String>) -> Refused {
    Refused(why.into())
}

/// How an imported hash is stored: the string, and its kind: one of the server's own (bcrypt,
/// argon2) or [`PasswordAlgorithm::Imported`], to replace at the first login.
#[derive(Debug, PartialEq, Eq)]
pub struct Imported {
    pub hash: String,
    pub algorithm: PasswordAlgorithm,
}

/// The stored form of Auth0's `custom_password_hash` object, checked to be usable.
pub fn from_auth0(custom: &Value) -> Result<Imported, Refused> {
    let algorithm = text(custom, &["algorithm"])?;
    let value = text(custom, &["hash", "value"])?;
    if let Some(encoding) = custom.pointer("/password/encoding").and_then(Value::as_str)
        && encoding != "utf8"
    {
        return Err(refused(format!(
            "password.encoding {encoding} is not supported; only utf8"
        )));
    }
    let stored = |hash: String, algorithm| Ok(Imported { hash, algorithm });
    match algorithm {
        "bcrypt" => {
            let valid = ["$2a$", "$2b$", "$2y$"]
                .iter()
                .any(|p| value.starts_with(p))
                && value.len() == 60;
            if !valid {
                return Err(refused("hash.value is not a bcrypt hash"));
            }
            let cost = value.get(4..6).and_then(|cost| cost.parse::<u32>().ok());
            if !cost.is_some_and(|cost| (4..=MAX_BCRYPT_COST).contains(&cost)) {
                return Err(refused(format!(
                    "bcrypt cost must be 4 to {MAX_BCRYPT_COST}"
                )));
            }
            stored(value.to_owned(), PasswordAlgorithm::Bcrypt)
        }
        "argon2" => {
            let parsed = argon2::password_hash::PasswordHash::new(value)
                .map_err(|_| refused("hash.value is not an argon2 PHC string"))?;
            let params = argon2::Params::try_from(&parsed)
                .ok()
                .filter(|_| parsed.algorithm.as_str().starts_with("argon2"))
                .ok_or_else(|| refused("hash.value is not an argon2 PHC string"))?;
            if !argon2_affordable(&params) {
                return Err(refused(format!(
                    "argon2 may use at most {MAX_ARGON2_MEMORY_KIB} KiB, {MAX_ARGON2_PASSES} passes and {MAX_ARGON2_LANES} lanes"
                )));
            }
            stored(value.to_owned(), PasswordAlgorithm::Argon2id)
        }
        "pbkdf2" => {
            Pbkdf2::parse(value)?;
            stored(value.to_owned(), PasswordAlgorithm::Imported)
        }
        "ldap" => {
            Ldap::parse(value)?;
            stored(value.to_owned(), PasswordAlgorithm::Imported)
        }
        "md5" | "sha1" | "sha256" | "sha512" => {
            let hash_encoding = custom
                .pointer("/hash/encoding")
                .and_then(Value::as_str)
                .unwrap_or("hex");
            let hash = decode(value, hash_encoding, "hash")?;
            if hash.len() != digest_len(algorithm) {
                return Err(refused(format!("hash.value is not a {algorithm} digest")));
            }
            let (salt, position) = match custom.get("salt") {
                None => (Vec::new(), "prefix"),
                Some(salt) => {
                    let value = text(salt, &["value"])?;
                    let encoding = salt
                        .get("encoding")
                        .and_then(Value::as_str)
                        .unwrap_or("utf8");
                    let position = salt
                        .get("position")
                        .and_then(Value::as_str)
                        .unwrap_or("prefix");
                    if position != "prefix" && position != "suffix" {
                        return Err(refused("salt.position must be prefix or suffix"));
                    }
                    (decode(value, encoding, "salt")?, position)
                }
            };
            stored(
                format!(
                    "{SALTED}{algorithm}${position}${}${}",
                    hex(&salt),
                    hex(&hash)
                ),
                PasswordAlgorithm::Imported,
            )
        }
        other => Err(refused(format!(
            "custom_password_hash.algorithm {other} is not supported"
        ))),
    }
}

/// Whether checking a password against argon2 `params` costs no more than a login may.
pub fn argon2_affordable(params: &argon2::Params) -> bool {
    params.m_cost() <= MAX_ARGON2_MEMORY_KIB
        && params.t_cost() <= MAX_ARGON2_PASSES
        && params.p_cost() <= MAX_ARGON2_LANES
}

/// Whether `stored` is a legacy form this module verifies.
pub fn is_legacy(stored: &str) -> bool {
    stored.starts_with("$pbkdf2-") || stored.starts_with('{') || stored.starts_with(SALTED)
}

/// Whether `password` matches a legacy `stored` hash; a malformed one never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    if stored.starts_with("$pbkdf2-") {
        return Pbkdf2::parse(stored).is_ok_and(|pbkdf2| pbkdf2.verify(password));
    }
    if stored.starts_with('{') {
        return Ldap::parse(stored).is_ok_and(|ldap| ldap.verify(password));
    }
    verify_salted(password, stored).unwrap_or(false)
}

fn verify_salted(password: &str, stored: &str) -> Option<bool> {
    let rest = stored.strip_prefix(SALTED)?;
    let mut parts = rest.split('$');
    let (algorithm, position, salt, hash) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let salt = unhex(salt)?;
    let expected = unhex(hash)?;
    let mut input = Vec::with_capacity(salt.len() + password.len());
    if position == "prefix" {
        input.extend_from_slice(&salt);
        input.extend_from_slice(password.as_bytes());
    } else {
        input.extend_from_slice(password.as_bytes());
        input.extend_from_slice(&salt);
    }
    let actual = digest_of(algorithm, &input)?;
    Some(constant_time::verify_slices_are_equal(&actual, &expected).is_ok())
}

/// A PBKDF2 PHC string: `$pbkdf2-<sha1|sha256|sha512>$i=<iterations>,l=<length>$<salt>$<hash>`,
/// salt and hash in base64 (standard or passlib's `.` for `+`, padded or not).
struct Pbkdf2 {
    algorithm: pbkdf2::Algorithm,
    iterations: NonZeroU32,
    salt: Vec<u8>,
    hash: Vec<u8>,
}

impl Pbkdf2 {
    fn parse(value: &str) -> Result<Self, Refused> {
        let malformed = || refused("hash.value is not a PBKDF2 PHC string");
        let mut parts = value.split('$').skip(1);
        let algorithm = match parts.next().ok_or_else(malformed)? {
            "pbkdf2-sha1" | "pbkdf2" => pbkdf2::PBKDF2_HMAC_SHA1,
            "pbkdf2-sha256" => pbkdf2::PBKDF2_HMAC_SHA256,
            "pbkdf2-sha512" => pbkdf2::PBKDF2_HMAC_SHA512,
            _ => return Err(malformed()),
        };
        let params = parts.next().ok_or_else(malformed)?;
        let iterations = params
            .split(',')
            .find_map(|param| param.strip_prefix("i="))
            .and_then(|i| i.parse::<u32>().ok())
            .and_then(NonZeroU32::new)
            .filter(|iterations| iterations.get() <= MAX_PBKDF2_ITERATIONS)
            .ok_or_else(malformed)?;
        let salt = phc_base64(parts.next().ok_or_else(malformed)?).ok_or_else(malformed)?;
        let hash = phc_base64(parts.next().ok_or_else(malformed)?).ok_or_else(malformed)?;
        let length_ok = (MIN_PBKDF2_BYTES..=MAX_PBKDF2_BYTES).contains(&hash.len());
        let declared = params
            .split(',')
            .find_map(|param| param.strip_prefix("l="))
            .map(|length| length.parse::<usize>().ok() == Some(hash.len()));
        if !length_ok || declared == Some(false) || parts.next().is_some() {
            return Err(malformed());
        }
        Ok(Self {
            algorithm,
            iterations,
            salt,
            hash,
        })
    }

    fn verify(&self, password: &str) -> bool {
        pbkdf2::verify(
            self.algorithm,
            self.iterations,
            &self.salt,
            password.as_bytes(),
            &self.hash,
        )
        .is_ok()
    }
}

/// An RFC 2307 hash: `{SHA}`, `{SSHA}`, `{SHA256}`, `{SSHA256}`, `{SHA512}`, `{SSHA512}`,
/// `{MD5}` or `{SMD5}` and base64 of the digest (followed by the salt, for salted forms).
struct Ldap {
    algorithm: &'static str,
    digest: Vec<u8>,
    salt: Vec<u8>,
}

impl Ldap {
    fn parse(value: &str) -> Result<Self, Refused> {
        let malformed = || refused("hash.value is not an RFC 2307 (LDAP) hash");
        let (scheme, encoded) = value
            .strip_prefix('{')
            .and_then(|rest| rest.split_once('}'))
            .ok_or_else(malformed)?;
        let (algorithm, salted) = match scheme.to_ascii_uppercase().as_str() {
            "SHA" => ("sha1", false),
            "SSHA" => ("sha1", true),
            "SHA256" => ("sha256", false),
            "SSHA256" => ("sha256", true),
            "SHA512" => ("sha512", false),
            "SSHA512" => ("sha512", true),
            "MD5" => ("md5", false),
            "SMD5" => ("md5", true),
            _ => return Err(malformed()),
        };
        let bytes = STANDARD.decode(encoded).map_err(|_| malformed())?;
        let length = digest_len(algorithm);
        if bytes.len() < length || (!salted && bytes.len() != length) {
            return Err(malformed());
        }
        let (digest, salt) = bytes.split_at(length);
        Ok(Self {
            algorithm,
            digest: digest.to_vec(),
            salt: salt.to_vec(),
        })
    }

    fn verify(&self, password: &str) -> bool {
        let mut input = password.as_bytes().to_vec();
        input.extend_from_slice(&self.salt);
        digest_of(self.algorithm, &input).is_some_and(|actual| {
            constant_time::verify_slices_are_equal(&actual, &self.digest).is_ok()
        })
    }
}

fn digest_len(algorithm: &str) -> usize {
    match algorithm {
        "md5" => 16,
        "sha1" => 20,
        "sha256" => 32,
        "sha512" => 64,
        _ => 0,
    }
}

fn digest_of(algorithm: &str, input: &[u8]) -> Option<Vec<u8>> {
    let of = |algorithm| digest::digest(algorithm, input).as_ref().to_vec();
    match algorithm {
        "md5" => Some(Md5::digest(input).to_vec()),
        "sha1" => Some(of(&digest::SHA1_FOR_LEGACY_USE_ONLY)),
        "sha256" => Some(of(&digest::SHA256)),
        "sha512" => Some(of(&digest::SHA512)),
        _ => None,
    }
}

/// A string at `path` of `value`, or the refusal naming it.
fn text<'a>(value: &'a Value, path: &[&str]) -> Result<&'a str, Refused> {
    path.iter()
        .try_fold(value, |value, key| value.get(key))
        .and_then(Value::as_str)
        .ok_or_else(|| {
            refused(format!(
                "custom_password_hash.{} is required",
                path.join(".")
            ))
        })
}

fn decode(value: &str, encoding: &str, what: &str) -> Result<Vec<u8>, Refused> {
    let bad = || refused(format!("{what}.value is not valid {encoding}"));
    match encoding {
        "hex" => unhex(value).ok_or_else(bad),
        "base64" => STANDARD.decode(value).map_err(|_| bad()),
        "utf8" => Ok(value.as_bytes().to_vec()),
        other => Err(refused(format!("{what}.encoding {other} is not supported"))),
    }
}

fn phc_base64(value: &str) -> Option<Vec<u8>> {
    let value = value.replace('.', "+");
    STANDARD_NO_PAD.decode(value.trim_end_matches('=')).ok()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| {
            text.get(at..at + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn imported(custom: Value) -> String {
        from_auth0(&custom).unwrap().hash
    }

    #[test]
    fn salted_digests_verify_wherever_the_salt_goes() {
        // sha256("saltpassword") and md5("passwordsalt"), as another system stored them.
        let prefix = hex(digest::digest(&digest::SHA256, b"saltpassword").as_ref());
        let stored = imported(
            json!({"algorithm": "sha256", "hash": {"value": prefix, "encoding": "hex"},
            "salt": {"value": "salt", "position": "prefix"}}),
        );
        assert!(is_legacy(&stored));
        assert!(verify("password", &stored));
        assert!(!verify("Password", &stored));
        let suffix = STANDARD.encode(Md5::digest(b"passwordsalt"));
        let stored = imported(
            json!({"algorithm": "md5", "hash": {"value": suffix, "encoding": "base64"},
            "salt": {"value": "73616c74", "encoding": "hex", "position": "suffix"}}),
        );
        assert!(verify("password", &stored));
        let plain = hex(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, b"password").as_ref());
        let stored = imported(json!({"algorithm": "sha1", "hash": {"value": plain}}));
        assert!(verify("password", &stored));
    }

    #[test]
    fn pbkdf2_and_ldap_verify() {
        // passlib: pbkdf2_sha256.hash("password", rounds=1000, salt=b"salt") (ab64 alphabet).
        let mut derived = [0_u8; 32];
        pbkdf2::derive(
            pbkdf2::PBKDF2_HMAC_SHA256,
            NonZeroU32::new(1000).unwrap(),
            b"salt",
            b"password",
            &mut derived,
        );
        let phc = format!(
            "$pbkdf2-sha256$i=1000,l=32${}${}",
            STANDARD_NO_PAD.encode(b"salt"),
            STANDARD_NO_PAD.encode(derived).replace('+', ".")
        );
        let stored = imported(json!({"algorithm": "pbkdf2", "hash": {"value": phc}}));
        assert!(verify("password", &stored));
        assert!(!verify("wrong", &stored));
        let mut ssha = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, b"passwordNaCl")
            .as_ref()
            .to_vec();
        ssha.extend_from_slice(b"NaCl");
        let ldap = format!("{{SSHA}}{}", STANDARD.encode(ssha));
        let stored = imported(json!({"algorithm": "ldap", "hash": {"value": ldap}}));
        assert!(verify("password", &stored));
        assert!(!verify("password1", &stored));
    }

    #[test]
    fn unknown_or_malformed_hashes_are_refused() {
        for bad in [
            json!({"algorithm": "rot13", "hash": {"value": "x"}}),
            json!({"algorithm": "bcrypt", "hash": {"value": "$2b$10$short"}}),
            json!({"algorithm": "sha256", "hash": {"value": "abcd", "encoding": "hex"}}),
            json!({"algorithm": "sha256", "hash": {"value": "zz", "encoding": "hex"}}),
            json!({"algorithm": "pbkdf2", "hash": {"value": "$pbkdf2-md5$i=1$a$b"}}),
            json!({"algorithm": "ldap", "hash": {"value": "{CRYPT}abc"}}),
            json!({"algorithm": "pbkdf2", "hash": {"value": "$pbkdf2-sha256$i=1000$c2FsdA$AA"}}),
            json!({"algorithm": "pbkdf2", "hash": {"value": "$pbkdf2-sha256$i=4294967295$c2FsdA$AAAAAAAAAAAAAAAAAAAAAA"}}),
            json!({"algorithm": "bcrypt", "hash": {"value": "$2b$31$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz01234"}}),
            json!({"algorithm": "argon2", "hash": {"value": "$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAA"}}),
            json!({"algorithm": "argon2", "hash": {"value": "$scrypt$ln=16,r=8,p=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAA"}}),
            json!({"algorithm": "sha1"}),
            json!({"algorithm": "md5", "hash": {"value": "00"}, "password": {"encoding": "utf16le"}}),
        ] {
            assert!(from_auth0(&bad).is_err(), "{bad}");
        }
        assert!(!verify("x", "$salted$sha256$prefix$zz$00"));
    }
}
