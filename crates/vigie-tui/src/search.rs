//! Search over question ids, prompts, help, answers and notes, on text folded
//! for case and accents so that "securite" finds "Sécurité". Hits rank by how
//! they match: the whole text or a whole word first, then a word's start, then
//! anywhere in a word, and last a fuzzy match (fuzzy-matcher's skim
//! algorithm), which must be close enough to count: a word found nowhere gives
//! no hit rather than unrelated ones. Typing one more character only re-scores
//! the previous hits.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use vigie_model::fold_for_search;

/// What a search entry comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The question's id (`transfer-tool`), as the header shows it.
    Id,
    Question,
    Answer,
    Note,
    /// "Why it matters" and "evidence to ask for".
    Help,
}

impl Field {
    /// Among hits that match as well, the order of fields.
    fn order(self) -> u8 {
        match self {
            Field::Id => 0,
            Field::Question => 1,
            Field::Answer => 2,
            Field::Note => 3,
            Field::Help => 4,
        }
    }
}

/// How a query matches a text, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchKind {
    /// The whole text, or one of its words, is the query.
    Exact,
    /// A word starts with the query.
    Prefix,
    /// The query appears inside a word.
    Inside,
    /// The query's characters appear in order, apart.
    Fuzzy,
}

/// A fuzzy match scores at least this much per query character to count (skim gives
/// 16 per matched character and takes off for gaps): below, the characters are scattered
/// over unrelated words.
const FUZZY_MIN_PER_CHAR: i64 = 10;

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// How `query` (folded) appears in `text` (folded), if contiguously, and where its best
/// match starts.
fn contiguous_kind(query: &str, text: &str) -> Option<(MatchKind, usize)> {
    if text == query {
        return Some((MatchKind::Exact, 0));
    }
    let mut best: Option<(MatchKind, usize)> = None;
    for (at, _) in text.match_indices(query) {
        let starts_word = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !is_word_char(c));
        let ends_word = text[at + query.len()..]
            .chars()
            .next()
            .is_none_or(|c| !is_word_char(c));
        let kind = match (starts_word, ends_word) {
            (true, true) => MatchKind::Exact,
            (true, false) => MatchKind::Prefix,
            _ => MatchKind::Inside,
        };
        if best.is_none_or(|(b, _)| kind < b) {
            best = Some((kind, at));
        }
        if kind == MatchKind::Exact {
            break;
        }
    }
    best
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
    pub kind: MatchKind,
    /// Where the match starts in the folded text: earlier is more on topic.
    pub at: usize,
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
            .map(|&(_, _, entry)| Hit {
                entry,
                score: 0,
                kind: MatchKind::Fuzzy,
                at: 0,
            })
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
        let query_chars = folded.chars().count() as i64;
        let mut hits: Vec<Hit> = shortlist
            .iter()
            .filter_map(|&i| {
                let text = &self.entries[i].folded;
                let score = self.matcher.fuzzy_match(text, &folded)?;
                let (kind, at) =
                    contiguous_kind(&folded, text).unwrap_or((MatchKind::Fuzzy, text.len()));
                if kind == MatchKind::Fuzzy && score < FUZZY_MIN_PER_CHAR * query_chars {
                    return None;
                }
                Some(Hit {
                    entry: i,
                    score,
                    kind,
                    at,
                })
            })
            .collect();
        self.last_query = folded;
        // Letters matched apart are a fallback for typos: when the query appears as typed
        // somewhere, those far-fetched hits only bury the real ones.
        if hits.iter().any(|h| h.kind != MatchKind::Fuzzy) {
            hits.retain(|h| h.kind != MatchKind::Fuzzy);
        }
        let entries = &self.entries;
        hits.sort_by(|a, b| {
            a.kind
                .cmp(&b.kind)
                .then(
                    entries[a.entry]
                        .field
                        .order()
                        .cmp(&entries[b.entry].field.order()),
                )
                .then(a.at.cmp(&b.at))
                .then(b.score.cmp(&a.score))
                .then(a.entry.cmp(&b.entry))
        });
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

    /// Issue 14: an id finds its question, a whole word ranks above a word that only
    /// contains it, and a word found nowhere gives no hit rather than scattered letters.
    #[test]
    fn exact_and_prefix_matches_come_first_and_far_fetched_ones_not_at_all() {
        let mut index = SearchIndex::new();
        index.push(
            0,
            Field::Question,
            "Les données sont-elles chiffrées, y compris les sauvegardes externalisées ?",
        );
        index.push(
            1,
            Field::Question,
            "Des sauvegardes sont-elles faites chaque jour ?",
        );
        index.push(2, Field::Id, "transfer-tool");
        index.push(
            3,
            Field::Help,
            "Le prestataire décrit ses procédures de restauration et leurs essais.",
        );
        let first = |index: &mut SearchIndex, query: &str| {
            index
                .search(query, 10)
                .first()
                .map(|h| index.entry(h.entry).question)
        };
        assert_eq!(first(&mut index, "transfer-tool"), Some(2));
        // Both questions hold the word: the one about backups (where it comes first) leads.
        assert_eq!(first(&mut index, "sauvegardes"), Some(1));
        assert_eq!(index.search("sauvegardes", 10).len(), 2);
        // "sauveg": a word's start in both.
        let hits = index.search("sauveg", 10);
        assert!(hits.iter().all(|h| h.kind == MatchKind::Prefix), "{hits:?}");
        // A word found nowhere: its letters are scattered over the help text.
        assert!(index.search("kubernetes", 10).is_empty());
        assert!(index.search("parapluie", 10).is_empty());
        // A typo close to a real word still finds it.
        assert!(!index.search("sauvgardes", 10).is_empty());
    }

    #[test]
    fn whole_words_rank_above_words_that_contain_them() {
        let mut index = SearchIndex::new();
        index.push(0, Field::Question, "Des contrôles d'accès physiques");
        index.push(1, Field::Question, "Accès distants des administrateurs");
        index.push(2, Field::Question, "Inaccessible en dehors des heures");
        let hits = index.search("acces", 10);
        let order: Vec<usize> = hits.iter().map(|h| index.entry(h.entry).question).collect();
        assert_eq!(
            order.last(),
            Some(&2),
            "inside a word comes last: {order:?}"
        );
        assert_eq!(hits[0].kind, MatchKind::Exact);
    }
}
