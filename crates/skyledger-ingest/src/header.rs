//! Column-name resolution shared by the readers: case-insensitive, BOM- and translation-tolerant.

/// The column names of one input, with the ones a reader uses marked (for Parquet projection).
#[derive(Debug, Clone)]
pub struct Header {
    names: Vec<String>,
    norm: Vec<String>,
    used: Vec<bool>,
}

/// Lower-case a column name, drop a UTF-8 BOM and, for translated Azure headers such as
/// `Ressourcengruppe (ResourceGroup)`, keep the English name in the brackets.
pub fn normalise(name: &str) -> String {
    let n = name.trim_start_matches('\u{feff}').trim();
    let n = match (n.rfind('('), n.ends_with(')')) {
        (Some(open), true) if open > 0 => &n[open + 1..n.len() - 1],
        _ => n,
    };
    n.trim().to_ascii_lowercase()
}

impl Header {
    pub fn new(names: Vec<String>) -> Self {
        let norm = names.iter().map(|n| normalise(n)).collect();
        let used = vec![false; names.len()];
        Self { names, norm, used }
    }

    /// Original names, in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Whether any of `candidates` is a column (no marking; for sniffing).
    pub fn has(&self, candidate: &str) -> bool {
        let c = candidate.to_ascii_lowercase();
        self.norm.contains(&c)
    }

    /// The index of the first candidate present, marking it used.
    pub fn find(&mut self, candidates: &[&str]) -> Option<usize> {
        for cand in candidates {
            let c = cand.to_ascii_lowercase();
            if let Some(i) = self.norm.iter().position(|n| *n == c) {
                self.used[i] = true;
                return Some(i);
            }
        }
        None
    }

    /// Columns whose (original) name starts with `prefix` (case-insensitive), with the rest
    /// of the name; marks them used.
    pub fn prefixed(&mut self, prefix: &str) -> Vec<(usize, String)> {
        let p = prefix.to_ascii_lowercase();
        let mut out = Vec::new();
        for (i, name) in self.names.iter().enumerate() {
            let n = name.trim_start_matches('\u{feff}');
            if n.len() > p.len()
                && n.is_char_boundary(p.len())
                && n[..p.len()].eq_ignore_ascii_case(&p)
            {
                self.used[i] = true;
                out.push((i, n[p.len()..].to_string()));
            }
        }
        out
    }

    /// Indexes of the columns a reader asked for.
    pub fn used(&self) -> Vec<usize> {
        (0..self.names.len()).filter(|&i| self.used[i]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translated_and_bom_headers_normalise() {
        assert_eq!(normalise("\u{feff}BillingAccountId"), "billingaccountid");
        assert_eq!(
            normalise("Ressourcengruppe (ResourceGroup)"),
            "resourcegroup"
        );
        assert_eq!(normalise("costInBillingCurrency"), "costinbillingcurrency");
    }

    #[test]
    fn find_marks_columns_used() {
        let mut h = Header::new(vec!["A".into(), "b".into(), "tags/x".into()]);
        assert_eq!(h.find(&["z", "B"]), Some(1));
        assert_eq!(h.prefixed("TAGS/"), vec![(2, "x".to_string())]);
        assert_eq!(h.used(), vec![1, 2]);
        assert!(h.has("a"));
    }
}
