//! The page link that opens a run: what `sweep --shrink` prints beside a finding.

use splitbrain_labs::RunDescription;

/// `site` (the address the app is served from, e.g. `http://127.0.0.1:8080/`) with the run as
/// `?run=`, encoded as the page's own Share link encodes it (`encodeURIComponent`). The root
/// page forwards a run of another lab to that lab's page.
pub fn page_link(site: &str, run: &RunDescription) -> String {
    let mut link = String::from(site);
    if !link.ends_with('/') {
        link.push('/');
    }
    link.push_str("?run=");
    for b in run.to_json().bytes() {
        // encodeURIComponent keeps letters, digits and -_.!~*'() as they are.
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            link.push(b as char);
        } else {
            link.push_str(&format!("%{b:02X}"));
        }
    }
    link
}

#[cfg(test)]
mod tests {
    use super::page_link;
    use splitbrain_labs::RunDescription;

    #[test]
    fn the_link_encodes_the_run_as_encode_uri_component_does() {
        let run = RunDescription::new("raft", 7, 5);
        let link = page_link("http://127.0.0.1:8080", &run);
        assert!(
            link.starts_with("http://127.0.0.1:8080/?run=%7B%22"),
            "{link}"
        );
        assert!(!link[link.find("?run=").unwrap() + 5..].contains(['{', '"', ' ', ':', ',']));
        // Decoding gives the run back.
        let encoded = &link[link.find("?run=").unwrap() + 5..];
        let mut bytes = Vec::new();
        let mut it = encoded.bytes();
        while let Some(b) = it.next() {
            if b == b'%' {
                let hex = [it.next().unwrap(), it.next().unwrap()];
                bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).unwrap(), 16).unwrap());
            } else {
                bytes.push(b);
            }
        }
        let back = RunDescription::parse(std::str::from_utf8(&bytes).unwrap()).unwrap();
        assert_eq!(back, run);
    }
}
