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
        // what it matched (skim requires every query character, in order).
        let narrowing = !self.last_query.is_empty() && folded.starts_with(&self.last_query);
        let mut hits: Vec<Hit> = if narrowing {
            self.last_hits
                .iter()
                .filter_map(|h| {
                    self.matcher
                        .fuzzy_match(&self.entries[h.entry].folded, &folded)
                        .map(|score| Hit { entry: h.entry, score })
                })
                .collect()
        } else {
            self.entries
                .iter()
                .enumerate()
                .filter_map(|(i, e)| self.matcher.fuzzy_match(&e.folded, &folded).map(|score| Hit { entry: i, score }))
                .collect()
        };
        self.last_query = folded;
        self.last_hits = hits.clone();
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
