//! Choosing among eligible advisers (SL2–SL6).

use super::config::RATIO_TOLERANCE;
use super::parse::ekey;
use super::result::{DecidedBy, Half, HashKey, RatioEntry, Schedule, Selection};
use sha2::{Digest, Sha256};

/// One eligible adviser as selection sees it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Candidate<'a> {
    /// Index in the listing.
    pub index: usize,
    pub email: &'a str,
    pub schedule: &'a Schedule,
}

/// SL2–SL6 over the eligible advisers, given in input order. `None` when there are none.
pub(crate) fn select(candidates: &[Candidate<'_>], deal_id: Option<&str>) -> Option<Selection> {
    // SL2, SL3
    let best = candidates
        .iter()
        .map(|c| c.schedule.earliest_open_week)
        .min()?;
    let tied: Vec<&Candidate<'_>> = candidates
        .iter()
        .filter(|c| c.schedule.earliest_open_week == best)
        .collect();
    let selection = |chosen: &Candidate<'_>, decided_by, ratios, hash_keys| Selection {
        chosen: chosen.index,
        earliest_week: best,
        tied: tied.iter().map(|c| c.index).collect(),
        decided_by,
        fallback: chosen.schedule.fallback,
        ratios,
        hash_keys,
    };
    // SL4
    if let [only] = tied.as_slice() {
        return Some(selection(only, DecidedBy::Single, Vec::new(), Vec::new()));
    }
    // SL5
    let ratios: Vec<RatioEntry> = tied
        .iter()
        .map(|c| {
            let (clar, targ2) = c
                .schedule
                .rows
                .iter()
                .take_while(|r| r.week <= best)
                .fold((0u64, 0i64), |(cl, tg), r| {
                    (cl + u64::from(r.clarify), tg + i64::from(r.target))
                });
            let targ = Half(targ2);
            RatioEntry {
                adviser: c.index,
                clar,
                targ,
                ratio: clar as f64 / targ.as_f64().max(1.0),
            }
        })
        .collect();
    let m = ratios.iter().map(|r| r.ratio).fold(f64::INFINITY, f64::min);
    let ratio_tied: Vec<&Candidate<'_>> = tied
        .iter()
        .zip(&ratios)
        .filter(|(_, r)| (r.ratio - m).abs() < RATIO_TOLERANCE)
        .map(|(c, _)| *c)
        .collect();
    if let [only] = ratio_tied.as_slice() {
        return Some(selection(only, DecidedBy::Ratio, ratios, Vec::new()));
    }
    // SL6 (C6): smallest key; equal keys keep input order (min_by_key returns the first).
    let keys: Vec<HashKey> = ratio_tied
        .iter()
        .map(|c| HashKey {
            adviser: c.index,
            key: tie_break_key(deal_id, c.email),
        })
        .collect();
    let winner = ratio_tied
        .iter()
        .zip(&keys)
        .min_by(|(_, a), (_, b)| a.key.as_bytes().cmp(b.key.as_bytes()))
        .map(|(c, _)| *c)?;
    Some(selection(winner, DecidedBy::Hash, ratios, keys))
}

/// SL6: the lowercase hex SHA-256 of `deal_id:ekey(email)`, or the ekey without a deal id.
pub fn tie_break_key(deal_id: Option<&str>, email: &str) -> String {
    let key = ekey(email);
    match deal_id.map(str::trim).filter(|d| !d.is_empty()) {
        Some(id) => {
            let digest = Sha256::digest(format!("{id}:{key}").as_bytes());
            digest.iter().map(|b| format!("{b:02x}")).collect()
        }
        None => key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sl6_keys_match_the_worked_example() {
        // X9
        assert_eq!(
            tie_break_key(Some("9000000008"), "dan.dale@example.com"),
            "7758971c423843af7dd3135a8285c323e1ec08c5c1be76995a64af1da463628b"
        );
        assert_eq!(
            tie_break_key(Some(" 9000000008 "), "EMA.eng@example.com"),
            "18be4a8942f5181861a7ec0c16823cb6a1e94c2547794dcba9b035a6d4ebbf64"
        );
        assert_eq!(tie_break_key(Some(""), " Dan@X.com"), "dan@x.com");
        assert_eq!(tie_break_key(None, "dan@x.com"), "dan@x.com");
    }
}
