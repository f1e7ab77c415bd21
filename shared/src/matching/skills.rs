//! Curated skill vocabulary: canonical skill names with their common spellings, matched as
//! stemmed phrases so "Project Managers", "project management" and "PMP" meet.
//!
//! The list is deliberately generic (technology, business, design, legal, engineering and
//! operations skills); it is not derived from the evaluation labels.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::text::{Token, phrase_key, scan_phrases};

/// `(canonical name, aliases)`; the canonical name is itself an alias.
const SKILLS: &[(&str, &[&str])] = &[
    // Programming languages and platforms.
    ("java", &["java", "j2ee", "jee", "core java"]),
    ("javascript", &["javascript", "js", "ecmascript"]),
    ("typescript", &["typescript"]),
    ("python", &["python", "python3"]),
    ("c++", &["cplusplus"]),
    ("c#", &["csharp", "c sharp"]),
    ("c", &["c"]),
    ("r", &["r"]),
    (
        ".net",
        &[
            "dotnet",
            "asp dotnet",
            "vb dotnet",
            "dotnet framework",
            "dotnet core",
        ],
    ),
    ("go", &["golang"]),
    ("ruby", &["ruby", "ruby on rails", "rails"]),
    ("php", &["php", "laravel", "codeigniter"]),
    ("scala", &["scala"]),
    ("kotlin", &["kotlin"]),
    ("swift", &["swift"]),
    ("matlab", &["matlab", "simulink"]),
    ("perl", &["perl"]),
    (
        "shell scripting",
        &["shell scripting", "bash", "shell script", "unix shell"],
    ),
    ("sql", &["sql", "pl sql", "plsql", "t sql", "tsql"]),
    ("html", &["html", "html5"]),
    ("css", &["css", "css3", "sass", "scss", "bootstrap"]),
    ("react", &["react", "reactjs", "react native", "redux"]),
    ("angular", &["angular", "angularjs"]),
    ("node.js", &["nodejs", "express js"]),
    ("jquery", &["jquery", "ajax"]),
    (
        "spring",
        &["spring", "spring boot", "spring mvc", "hibernate"],
    ),
    ("django", &["django", "flask"]),
    ("android", &["android"]),
    ("ios", &["ios"]),
    (
        "web services",
        &[
            "web services",
            "rest api",
            "restful",
            "soap",
            "microservices",
            "api",
        ],
    ),
    // Data.
    (
        "machine learning",
        &[
            "machine learning",
            "deep learning",
            "neural networks",
            "scikit learn",
            "tensorflow",
            "keras",
            "pytorch",
        ],
    ),
    (
        "data science",
        &[
            "data science",
            "data scientist",
            "data mining",
            "predictive modeling",
        ],
    ),
    (
        "natural language processing",
        &["natural language processing", "nlp", "text mining"],
    ),
    (
        "statistics",
        &[
            "statistics",
            "statistical analysis",
            "regression",
            "hypothesis testing",
        ],
    ),
    (
        "data analysis",
        &[
            "data analysis",
            "data analytics",
            "analytics",
            "pandas",
            "numpy",
        ],
    ),
    (
        "big data",
        &[
            "big data",
            "hadoop",
            "hdfs",
            "mapreduce",
            "hive",
            "pig",
            "spark",
            "pyspark",
            "kafka",
            "hbase",
            "sqoop",
        ],
    ),
    (
        "etl",
        &[
            "etl",
            "informatica",
            "datastage",
            "ssis",
            "data warehouse",
            "data warehousing",
            "talend",
        ],
    ),
    (
        "business intelligence",
        &[
            "business intelligence",
            "tableau",
            "power bi",
            "qlikview",
            "ssrs",
            "cognos",
            "dashboards",
            "reporting",
        ],
    ),
    (
        "databases",
        &[
            "database",
            "databases",
            "mysql",
            "oracle",
            "postgresql",
            "sql server",
            "mongodb",
            "nosql",
            "dba",
            "database administration",
        ],
    ),
    (
        "excel",
        &["excel", "ms excel", "spreadsheets", "vba", "macros"],
    ),
    // Infrastructure and security.
    ("linux", &["linux", "unix", "ubuntu", "red hat", "centos"]),
    ("windows server", &["windows server", "active directory"]),
    (
        "cloud",
        &[
            "cloud",
            "cloud computing",
            "aws",
            "amazon web services",
            "azure",
            "gcp",
            "google cloud",
            "ec2",
            "s3",
        ],
    ),
    (
        "devops",
        &[
            "devops",
            "ci cd",
            "continuous integration",
            "continuous delivery",
            "jenkins",
            "ansible",
            "puppet",
            "chef",
            "terraform",
        ],
    ),
    (
        "containers",
        &["docker", "kubernetes", "containers", "openshift"],
    ),
    (
        "version control",
        &["git", "github", "svn", "bitbucket", "version control"],
    ),
    (
        "networking",
        &[
            "networking",
            "network",
            "tcp ip",
            "routing",
            "switching",
            "ccna",
            "ccnp",
            "lan",
            "wan",
            "dns",
            "dhcp",
            "vpn",
            "cisco",
        ],
    ),
    (
        "network security",
        &[
            "network security",
            "firewall",
            "firewalls",
            "ids",
            "ips",
            "siem",
            "penetration testing",
            "vulnerability assessment",
            "information security",
            "cyber security",
            "cybersecurity",
            "security",
        ],
    ),
    (
        "system administration",
        &[
            "system administration",
            "system administrator",
            "sysadmin",
            "troubleshooting",
            "vmware",
            "virtualization",
        ],
    ),
    (
        "data center",
        &[
            "data center",
            "data centre",
            "datacenter",
            "server hardware",
        ],
    ),
    // Quality.
    (
        "software testing",
        &[
            "software testing",
            "testing",
            "test cases",
            "test plan",
            "manual testing",
            "qa",
            "quality assurance",
            "regression testing",
            "functional testing",
            "test scripts",
        ],
    ),
    (
        "test automation",
        &[
            "test automation",
            "automation testing",
            "selenium",
            "webdriver",
            "testng",
            "junit",
            "cucumber",
            "appium",
            "qtp",
            "uft",
            "loadrunner",
            "jmeter",
        ],
    ),
    (
        "blockchain",
        &[
            "blockchain",
            "ethereum",
            "solidity",
            "smart contracts",
            "hyperledger",
            "bitcoin",
            "cryptocurrency",
        ],
    ),
    (
        "sap",
        &[
            "sap", "sap abap", "abap", "sap hana", "sap fico", "sap mm", "sap sd",
        ],
    ),
    ("erp", &["erp", "crm", "salesforce", "dynamics"]),
    // Software process.
    ("agile", &["agile", "scrum", "kanban", "sprint", "jira"]),
    (
        "software development",
        &[
            "software development",
            "software engineering",
            "sdlc",
            "object oriented",
            "oop",
            "design patterns",
            "data structures",
            "algorithms",
        ],
    ),
    (
        "system design",
        &[
            "system design",
            "distributed systems",
            "software architecture",
            "scalability",
        ],
    ),
    // Design.
    (
        "ux design",
        &[
            "ux",
            "user experience",
            "interaction design",
            "ux design",
            "usability",
            "user research",
            "wireframes",
            "wireframing",
            "prototyping",
            "information architecture",
            "user centered design",
        ],
    ),
    (
        "ui design",
        &[
            "ui",
            "user interface",
            "ui design",
            "visual design",
            "web design",
            "responsive design",
        ],
    ),
    (
        "graphic design",
        &[
            "graphic design",
            "photoshop",
            "illustrator",
            "indesign",
            "coreldraw",
            "adobe creative suite",
            "sketch",
            "figma",
            "typography",
        ],
    ),
    // Business, management and sales.
    (
        "project management",
        &[
            "project management",
            "project manager",
            "pmp",
            "prince2",
            "program management",
            "programme management",
            "project planning",
            "pmo",
        ],
    ),
    (
        "stakeholder management",
        &["stakeholder management", "stakeholders", "stakeholder"],
    ),
    (
        "risk management",
        &["risk management", "risk assessment", "risk mitigation"],
    ),
    (
        "business analysis",
        &[
            "business analysis",
            "business analyst",
            "requirement gathering",
            "requirements gathering",
            "brd",
            "frd",
            "gap analysis",
            "use cases",
            "process mapping",
            "business requirements",
        ],
    ),
    (
        "strategy",
        &[
            "strategy",
            "strategic planning",
            "business strategy",
            "strategic",
        ],
    ),
    (
        "operations management",
        &[
            "operations management",
            "operations",
            "process improvement",
            "six sigma",
            "lean",
            "kaizen",
            "continuous improvement",
        ],
    ),
    (
        "supply chain",
        &[
            "supply chain",
            "procurement",
            "purchasing",
            "sourcing",
            "vendor management",
            "logistics",
            "inventory",
            "inventory management",
            "warehouse",
        ],
    ),
    (
        "sales",
        &[
            "sales",
            "selling",
            "sales management",
            "cold calling",
            "lead generation",
            "sales targets",
            "revenue targets",
            "quota",
        ],
    ),
    (
        "business development",
        &[
            "business development",
            "new business",
            "prospecting",
            "pipeline",
        ],
    ),
    (
        "account management",
        &[
            "account management",
            "key account",
            "key accounts",
            "client relationship",
            "client relationships",
            "customer relationship",
            "relationship management",
        ],
    ),
    ("negotiation", &["negotiation", "negotiating", "negotiate"]),
    (
        "customer service",
        &[
            "customer service",
            "customer support",
            "customer satisfaction",
            "client servicing",
            "technical support",
            "help desk",
            "helpdesk",
        ],
    ),
    (
        "marketing",
        &[
            "marketing",
            "digital marketing",
            "brand",
            "branding",
            "advertising",
            "campaigns",
            "seo",
            "sem",
            "social media",
            "market research",
        ],
    ),
    (
        "communications",
        &[
            "public relations",
            "communications",
            "corporate communications",
            "media relations",
        ],
    ),
    (
        "finance",
        &[
            "finance",
            "financial analysis",
            "financial modeling",
            "financial modelling",
            "budgeting",
            "forecasting",
            "accounting",
            "audit",
            "auditing",
            "taxation",
            "tally",
            "gst",
            "accounts payable",
            "accounts receivable",
        ],
    ),
    (
        "leadership",
        &[
            "leadership",
            "team management",
            "people management",
            "team lead",
            "mentoring",
            "coaching",
        ],
    ),
    (
        "communication",
        &[
            "communication",
            "communication skills",
            "presentation",
            "presentations",
            "public speaking",
        ],
    ),
    // People and HR.
    (
        "human resources",
        &[
            "human resources",
            "human resource",
            "hr",
            "hrm",
            "hris",
            "human resource management",
            "hr operations",
            "hr policies",
        ],
    ),
    (
        "recruitment",
        &[
            "recruitment",
            "recruiting",
            "recruiter",
            "talent acquisition",
            "hiring",
            "sourcing candidates",
            "headhunting",
            "onboarding",
            "interviewing",
            "staffing",
        ],
    ),
    (
        "payroll",
        &[
            "payroll",
            "compensation",
            "benefits",
            "compensation and benefits",
            "salary administration",
        ],
    ),
    (
        "employee relations",
        &[
            "employee relations",
            "employee engagement",
            "grievance handling",
            "performance management",
            "performance appraisal",
            "industrial relations",
        ],
    ),
    (
        "training",
        &[
            "training and development",
            "learning and development",
            "training",
        ],
    ),
    // Legal and policy.
    (
        "law",
        &[
            "law",
            "legal",
            "llb",
            "llm",
            "advocate",
            "attorney",
            "lawyer",
            "counsel",
            "legal advice",
            "legal research",
            "legal drafting",
            "drafting",
        ],
    ),
    (
        "litigation",
        &[
            "litigation",
            "court",
            "courts",
            "high court",
            "civil cases",
            "criminal cases",
            "arbitration",
            "dispute resolution",
        ],
    ),
    (
        "contracts",
        &[
            "contracts",
            "contract",
            "contract negotiation",
            "agreements",
            "commercial contracts",
        ],
    ),
    (
        "compliance",
        &[
            "compliance",
            "regulatory",
            "regulatory compliance",
            "policy",
            "public policy",
            "government relations",
        ],
    ),
    (
        "intellectual property",
        &[
            "intellectual property",
            "patents",
            "trademarks",
            "copyright",
        ],
    ),
    // Engineering.
    (
        "cad",
        &[
            "autocad",
            "cad",
            "solidworks",
            "catia",
            "creo",
            "pro e",
            "ansys",
            "nx",
            "revit",
            "staad pro",
        ],
    ),
    (
        "mechanical engineering",
        &[
            "mechanical engineering",
            "mechanical",
            "thermodynamics",
            "machine design",
            "hvac",
            "manufacturing",
            "production",
            "quality control",
            "cnc",
        ],
    ),
    (
        "electrical engineering",
        &[
            "electrical engineering",
            "electrical",
            "electronics",
            "circuit design",
            "power systems",
            "plc",
            "scada",
            "pcb",
            "embedded systems",
            "microcontrollers",
            "vlsi",
            "fpga",
            "verilog",
            "vhdl",
            "signal processing",
        ],
    ),
    (
        "hardware",
        &[
            "hardware",
            "asic",
            "silicon",
            "semiconductor",
            "firmware",
            "hardware design",
        ],
    ),
    (
        "civil engineering",
        &[
            "civil engineering",
            "civil",
            "construction",
            "structural",
            "site engineer",
            "surveying",
            "estimation",
        ],
    ),
    // Fitness and the arts.
    (
        "fitness",
        &["fitness", "personal trainer", "nutrition", "yoga", "gym"],
    ),
    (
        "arts",
        &["painting", "music", "dance", "theatre", "fine arts", "art"],
    ),
    (
        "writing",
        &[
            "technical writing",
            "documentation",
            "content writing",
            "copywriting",
            "editing",
            "writing",
        ],
    ),
    ("teaching", &["teaching", "teacher", "lecturer", "tutoring"]),
    (
        "administration",
        &[
            "administration",
            "administrative",
            "office management",
            "scheduling",
            "calendar management",
            "data entry",
            "ms office",
        ],
    ),
    (
        "real estate",
        &[
            "real estate",
            "facilities",
            "facility management",
            "property management",
            "workplace services",
        ],
    ),
];

/// Longest alias, in stemmed tokens.
pub(crate) const MAX_PHRASE_TOKENS: usize = 4;

pub(crate) struct SkillVocab {
    /// Stemmed alias key → skill index.
    by_key: HashMap<String, u16>,
}

pub(crate) fn vocab() -> &'static SkillVocab {
    static VOCAB: OnceLock<SkillVocab> = OnceLock::new();
    VOCAB.get_or_init(|| {
        let mut by_key = HashMap::new();
        for (i, (_, aliases)) in SKILLS.iter().enumerate() {
            for alias in aliases.iter() {
                let key = phrase_key(alias);
                if !key.is_empty() {
                    // First definition wins so the table order settles clashes.
                    by_key.entry(key).or_insert(i as u16);
                }
            }
        }
        SkillVocab { by_key }
    })
}

/// Canonical name of a skill index.
pub(crate) fn skill_name(index: u16) -> &'static str {
    SKILLS[index as usize].0
}

/// Canonical skill names found in `tokens`, one entry per mention, longest alias first.
pub fn find_skills(tokens: &[Token]) -> Vec<&'static str> {
    let vocab = vocab();
    let mut found = Vec::new();
    scan_phrases(
        tokens,
        1,
        MAX_PHRASE_TOKENS,
        |key| vocab.by_key.get(key),
        |_, &skill| found.push(skill_name(skill)),
    );
    found
}

#[cfg(test)]
mod tests {
    use super::super::text::tokenize;
    use super::*;

    #[test]
    fn finds_multi_word_skills_and_synonyms() {
        let skills = find_skills(&tokenize(
            "Managed projects; strong project management and PMP. Java, J2EE.",
        ));
        assert_eq!(
            skills,
            vec!["project management", "project management", "java", "java"]
        );
    }

    #[test]
    fn phrases_do_not_cross_punctuation() {
        assert!(find_skills(&tokenize("machine. learning")).is_empty());
        assert_eq!(
            find_skills(&tokenize("machine learning")),
            vec!["machine learning"]
        );
    }

    #[test]
    fn every_alias_normalises_to_something() {
        for (name, aliases) in SKILLS {
            for alias in aliases.iter() {
                assert!(
                    !phrase_key(alias).is_empty(),
                    "{name}: alias {alias} normalises to nothing"
                );
            }
        }
    }
}
