//! Fuzzy search over questions, answers and notes (fuzzy-matcher's skim
//! algorithm), on text folded for case and accents so that "securite" finds
//! "Sécurité". Typing one more character only re-scores the previous hits.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use vigie_model::fold_for_search;

/// What a search entry comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Question,
    Answer,
    Note,
}

#[derive(Clone, Debug)]
pub struct Entry {
    /// Question index in the questionnaire.
    pub question: usize,
    pub field: Field,
    /// The text as shown.
    pub text: String,
    folded: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub entry: usize,
    pub score: i64,
}

/// How many candidates get skim's full scoring per keystroke.
const SCORED_AT_MOST: usize = 500;

/// Whether every character of `needle` appears in `haystack`, in order.
fn is_subsequence(needle: &str, haystack: &str) -> bool {
    let mut rest = haystack;
    for c in needle.chars() {
        // `find` on a char uses a vectorised byte search.
        match rest.find(c) {
            Some(at) => rest = &rest[at + c.len_utf8()..],
            None => return false,
        }
    }
    true
}

pub struct SearchIndex {
    entries: Vec<Entry>,
    matcher: SkimMatcherV2,
    last_query: String,
    last_hits: Vec<Hit>,
}

impl SearchIndex {
    pub fn new() -> Self {
        SearchIndex {
            entries: Vec::new(),
            // Text is folded already: matching case-sensitively skips a
            // second lowercasing of every candidate.
            matcher: SkimMatcherV2::default().respect_case(),
            last_query: String::new(),
            last_hits: Vec::new(),
        }
    }

    pub fn push(&mut self, question: usize, field: Field, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        self.entries.push(Entry {
            question,
            field,
            text: text.to_string(),
            folded: fold_for_search(text),
        });
        self.last_query.clear();
        self.last_hits.clear();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entry(&self, i: usize) -> &Entry {
        &self.entries[i]
    }

    /// The best `limit` hits for `query`, best first.
    pub fn search(&mut self, query: &str, limit: usize) -> Vec<Hit> {
        let folded = fold_for_search(query.trim());
        if folded.is_empty() {
            self.last_query.clear();
            self.last_hits.clear();
            return Vec::new();
        }
        // A query that extends the previous one can only match a subset of
        // what it matched (every query character must appear, in order).
        let narrowing = !self.last_query.is_empty() && folded.starts_with(&self.last_query);
        // One pass: where the query appears contiguously (the cheap rank
        // used below), else whether it appears at all as a subsequence.
        // A one-character query (the first keystroke, which scans the whole
        // index) is searched as a char: a vectorised byte search, where a
        // string pattern sets up a general substring searcher per entry.
        let mut chars = folded.chars();
        let single = match (chars.next(), chars.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        };
        let rank = |i: usize| -> Option<(bool, usize, usize)> {
            let text = &self.entries[i].folded;
            if let Some(c) = single {
                return text.find(c).map(|at| (false, at, i));
            }
            match text.find(folded.as_str()) {
                Some(at) => Some((false, at, i)),
                None => is_subsequence(&folded, text).then_some((true, text.len(), i)),
            }
        };
        let mut ranked: Vec<(bool, usize, usize)> = if narrowing {
            self.last_hits
                .iter()
                .filter_map(|h| rank(h.entry))
                .collect()
        } else {
            (0..self.entries.len()).filter_map(rank).collect()
        };
        // Keep every candidate for narrowing, scored or not.
        self.last_hits = ranked
            .iter()
            .map(|&(_, _, entry)| Hit { entry, score: 0 })
            .collect();
        // Skim's scoring costs about a microsecond per entry: when a short
        // query matches most of a large index, score only the entries where
        // it appears contiguously and earliest, which is where skim's best
        // scores are anyway.
        if ranked.len() > SCORED_AT_MOST {
            ranked.select_nth_unstable(SCORED_AT_MOST - 1);
            ranked.truncate(SCORED_AT_MOST);
        }
        let shortlist: Vec<usize> = ranked.into_iter().map(|(_, _, i)| i).collect();
        let mut hits: Vec<Hit> = shortlist
            .iter()
            .filter_map(|&i| {
                self.matcher
                    .fuzzy_match(&self.entries[i].folded, &folded)
                    .map(|score| Hit { entry: i, score })
            })
            .collect();
        self.last_query = folded;
        hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.entry.cmp(&b.entry)));
        hits.truncate(limit);
        hits
    }
}

impl Default for SearchIndex {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_case_are_folded() {
        let mut index = SearchIndex::new();
        index.push(0, Field::Question, "Politique de Sécurité des SI");
        index.push(1, Field::Note, "certificat vu le 12/03");
        index.push(2, Field::Answer, "Non");
        let hits = index.search("securite", 10);
        assert_eq!(hits.len(), 1);
        assert_eq!(index.entry(hits[0].entry).question, 0);
        assert_eq!(index.search("CERTIF", 10).len(), 1);
        // Narrowing reuses the previous hits and still finds the right one.
        assert_eq!(index.search("certifi", 10).len(), 1);
        assert!(index.search("zzz", 10).is_empty());
        assert!(index.search("  ", 10).is_empty());
    }
}
