//! Matching engine (FiiLTER, ARKiiVE, REFiiNE): deterministic, explainable matching of
//! candidate profiles to postings.
//!
//! - [`text`]: normalisation (HTML, Unicode words, stop words, Snowball stems).
//! - [`skills`]: curated skill vocabulary with multi-word aliases.
//! - [`titles`]: O*NET job titles → SOC minor groups (role inference).
//! - [`occupations`]: O*NET occupations a text resembles (explicit semantic analysis).
//! - [`profile`]: candidate and posting profiles built from Lever data, storable as JSON.
//! - [`index`]: the inverted candidate index and the three passes.
//!
//! See `docs/matching.md` for the design and the benchmark figures.

pub mod index;
pub mod occupations;
pub mod profile;
pub mod skills;
pub mod text;
pub mod titles;

pub use index::{
    CandidateIndex, Contribution, Decision, Explanation, MatchConfig, OpenPostings, Query,
};
pub use profile::{CandidateDoc, PostingDoc, PostingList, Profile};

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(id: &str, title: &str, text: &str) -> Profile {
        Profile::from_candidate(&CandidateDoc {
            id: id.into(),
            titles: vec![title.into()],
            text: text.into(),
            ..CandidateDoc::default()
        })
    }

    fn pool() -> Vec<Profile> {
        vec![
            candidate(
                "c-java",
                "Java Developer",
                "Java developer with Spring Boot, Hibernate, REST web services, SQL and Git. \
                 Built microservices in Core Java and J2EE.",
            ),
            candidate(
                "c-chef",
                "Chef",
                "Head chef: menu planning, kitchen staff, food safety, catering for banquets.",
            ),
            candidate(
                "c-nurse",
                "Registered Nurse",
                "Patient care, medication administration, ward rounds and clinical records.",
            ),
            candidate(
                "c-driver",
                "Truck Driver",
                "Long-haul deliveries, vehicle inspections, route planning and logbooks.",
            ),
        ]
    }

    fn java_posting(id: &str) -> Profile {
        Profile::from_posting(&PostingDoc {
            id: id.into(),
            title: "Senior Java Software Engineer".into(),
            description: "Join our backend team building payment services.".into(),
            lists: vec![
                PostingList {
                    heading: "Requirements".into(),
                    content:
                        "<ul><li>Java and Spring Boot</li><li>SQL databases</li><li>Git</li></ul>"
                            .into(),
                },
                PostingList {
                    heading: "Responsibilities".into(),
                    content: "<li>Design REST APIs</li>".into(),
                },
            ],
            ..PostingDoc::default()
        })
    }

    fn accountant_posting(id: &str) -> Profile {
        Profile::from_posting(&PostingDoc {
            id: id.into(),
            title: "Tax Accountant".into(),
            lists: vec![PostingList {
                heading: "Qualifications".into(),
                content: "<li>CPA</li><li>Tax returns, audit, general ledger</li>".into(),
            }],
            ..PostingDoc::default()
        })
    }

    #[test]
    fn java_developer_ranks_above_chef_for_java_posting() {
        let index = CandidateIndex::build(pool(), MatchConfig::default());
        let query = index.query(&java_posting("p-java"));
        let top = index.top_candidates_with(&query, 7, 0.0);
        let rank = |id: &str| top.iter().position(|e| e.candidate_id == id);
        assert_eq!(rank("c-java"), Some(0), "{top:#?}");
        assert!(rank("c-chef").is_none_or(|r| r > 0));
        let java = index.score(&pool()[0], &query);
        let chef = index.score(&pool()[1], &query);
        assert!(
            java.score > chef.score + 0.2,
            "{} vs {}",
            java.score,
            chef.score
        );
    }

    #[test]
    fn filter_advances_the_java_developer_and_not_the_chef() {
        // A pool with another Java developer: the applicant is judged without their own
        // feedback, so someone like them has to lend it.
        let mut pool = pool();
        pool.push(candidate(
            "c-java-2",
            "Backend Java Engineer",
            "Java and Spring Boot microservices, REST APIs, SQL databases, Git and Hibernate.",
        ));
        // A five-person pool scores lower than a real one; the threshold says so.
        let config = MatchConfig {
            filter_threshold: 0.3,
            ..MatchConfig::default()
        };
        let index = CandidateIndex::build(pool.clone(), config);
        let posting = java_posting("p-java");
        let query = index.query(&posting);
        let java = index.decide(&pool[0], &posting, &query);
        assert!(java.advance, "{java:#?}");
        let chef = index.decide(&pool[1], &posting, &query);
        assert!(!chef.advance, "{chef:#?}");
    }

    #[test]
    fn an_applicant_is_judged_without_the_feedback_of_their_own_profile() {
        let index = CandidateIndex::build(pool(), MatchConfig::default());
        let posting = java_posting("p-java");
        let query = index.query(&posting);
        let java = &pool()[0];
        // The Java developer is the posting's best match, so they widened its query.
        assert!(query.lent_by(&java.id));
        let without = index.query_without(&posting, &java.id);
        assert!(!without.lent_by(&java.id));
        let judged = index.judge(java, &posting, &query);
        assert_eq!(judged.score, index.score(java, &without).score);
        // Their own feedback would have lifted them.
        assert!(
            index.score(java, &query).score > judged.score,
            "{judged:#?}"
        );
    }

    #[test]
    fn explanations_list_matched_and_missing_skills_and_add_up() {
        let index = CandidateIndex::build(pool(), MatchConfig::default());
        let query = index.query(&java_posting("p-java"));
        let top = index.top_candidates_with(&query, 1, 0.0);
        let e = &top[0];
        assert!(
            e.matched_skills
                .iter()
                .any(|c| c.name == "java" && c.points > 0.0),
            "{e:#?}"
        );
        assert!(e.matched_roles.iter().any(|c| c.name == "15-12"), "{e:#?}");
        let parts = e.skill_points + e.text_points + e.role_points + e.occupation_points;
        assert!((parts - e.score).abs() < 1e-5);
        // The index path and the profile path agree exactly.
        assert_eq!(index.score(&pool()[0], &query).score, e.score);
        let chef = index.score(&pool()[1], &query);
        assert!(
            chef.missing_skills.contains(&"java".to_string()),
            "{chef:#?}"
        );
    }

    #[test]
    fn unrelated_pool_yields_no_suggestion() {
        let pool: Vec<Profile> = pool().into_iter().filter(|p| p.id != "c-java").collect();
        let index = CandidateIndex::build(pool, MatchConfig::default());
        let query = index.query(&java_posting("p-java"));
        assert!(
            index.top_candidates(&query).is_empty(),
            "{:#?}",
            index.top_candidates(&query)
        );
    }

    #[test]
    fn refine_suggests_the_other_fitting_posting_or_nothing() {
        let index = CandidateIndex::build(pool(), MatchConfig::default());
        let postings = [
            java_posting("p-java-1"),
            java_posting("p-java-2"),
            accountant_posting("p-tax"),
        ];
        let queries: Vec<Query> = postings.iter().map(|p| index.query(p)).collect();
        let open = index.open_postings(queries);
        let java = &pool()[0];
        let best = index.best_postings(java, &open, Some("p-java-1"), 3);
        let ids: Vec<&str> = best.iter().map(|e| e.posting_id.as_str()).collect();
        assert_eq!(ids, vec!["p-java-2"]);
        let chef = &pool()[1];
        assert!(
            index
                .best_postings(chef, &open, Some("p-java-1"), 3)
                .is_empty()
        );
    }

    #[test]
    fn recruiter_posting_prefers_the_hr_generalist_through_occupations() {
        let mut pool = pool();
        pool.push(candidate(
            "c-hr",
            "HR Executive",
            "Recruitment and onboarding, payroll, employee relations, HR policies.",
        ));
        let index = CandidateIndex::build(pool, MatchConfig::default());
        let query = index.query(&Profile::from_posting(&PostingDoc {
            id: "p-rec".into(),
            title: "Recruiter".into(),
            description: "Source and interview candidates, manage hiring pipelines and \
                          partner with hiring managers."
                .into(),
            ..PostingDoc::default()
        }));
        let top = index.top_candidates_with(&query, 7, 0.0);
        assert_eq!(top[0].candidate_id, "c-hr", "{top:#?}");
        assert!(
            top[0]
                .matched_occupations
                .iter()
                .any(|c| c.name.starts_with("13-1071")),
            "{top:#?}"
        );
    }

    #[test]
    fn refine_fast_path_reports_the_explained_score() {
        let index = CandidateIndex::build(pool(), MatchConfig::default());
        let queries = [java_posting("p-a"), java_posting("p-b")]
            .iter()
            .map(|p| index.query(p))
            .collect::<Vec<_>>();
        let open = index.open_postings(queries.clone());
        let java = &pool()[0];
        let best = index.best_postings(java, &open, None, 3);
        assert_eq!(best.len(), 2);
        for e in &best {
            let q = queries
                .iter()
                .find(|q| q.posting_id == e.posting_id)
                .unwrap();
            assert_eq!(index.score(java, q), *e);
        }
    }

    #[test]
    fn ties_break_by_candidate_id_whatever_the_insertion_order() {
        let mut twins = vec![pool()[0].clone(), pool()[0].clone(), pool()[1].clone()];
        twins[0].id = "b".into();
        twins[1].id = "a".into();
        let forward = CandidateIndex::build(twins.clone(), MatchConfig::default());
        twins.reverse();
        let backward = CandidateIndex::build(twins, MatchConfig::default());
        let q1 = forward.query(&java_posting("p"));
        let q2 = backward.query(&java_posting("p"));
        let ids = |v: Vec<Explanation>| v.into_iter().map(|e| e.candidate_id).collect::<Vec<_>>();
        let a = ids(forward.top_candidates_with(&q1, 2, 0.0));
        assert_eq!(a, vec!["a".to_string(), "b".to_string()]);
        assert_eq!(a, ids(backward.top_candidates_with(&q2, 2, 0.0)));
    }
}
