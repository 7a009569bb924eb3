//! Google Cloud detailed (resource-level) billing export rows as newline-delimited JSON, one
//! file per invoice month, with the BigQuery export schema: service, sku, project with labels
//! and ancestry, resource labels, system labels, location, resource, credits (sustained-use,
//! committed-use, free tier, promotion), invoice month, cost type, and cost at list.
//! Usage days run midnight to midnight US Pacific time, as Cloud Billing days do.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

use crate::calendar::{Calendar, MONTHS};
use crate::fleet::{self, APPS, Slots, Tags};
use crate::money::{self, Sum};
use crate::rng::{below, key, unit, weighted};
use crate::{
    DemoCostAccount, DemoError, FileTotals, GeneratedFile, InjectedAnomaly, Progress, StreamOutput,
    io_err,
};

/// Which credits a SKU may receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Credit {
    None,
    /// N2 cores and RAM: sustained-use discount, or covered by the committed-use discount.
    SudOrCud,
    FreeTier,
}

/// How a SKU's resource is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Res {
    None,
    Instance,
    Disk,
    Bucket,
    Dataset,
    SqlInstance,
    Cluster,
    RunService,
    Function,
    Topic,
    Redis,
    Spanner,
    Job,
    Repository,
    Secret,
    Zone,
    Endpoint,
    ForwardingRule,
    Key,
}

struct GSku {
    service: usize,
    description: &'static str,
    unit: &'static str,
    pricing_unit: &'static str,
    /// Usage units per pricing unit (e.g. 3600 seconds per hour).
    per_pricing_unit: f64,
    price: f64,
    per_day: (f64, f64),
    weight: u32,
    elastic: bool,
    res: Res,
    credit: Credit,
    /// Machine spec for `compute.googleapis.com/machine_spec`.
    machine: &'static str,
    /// Regional (false: multi-region or global).
    regional: bool,
}

/// (id, description) as Cloud Billing names services.
static SERVICES: &[(&str, &str)] = &[
    ("6F81-5844-456A", "Compute Engine"),
    ("95FF-2EF5-5EA1", "Cloud Storage"),
    ("24E6-581D-38E5", "BigQuery"),
    ("9662-B51E-5089", "Cloud SQL"),
    ("CCD8-9BF1-090E", "Kubernetes Engine"),
    ("152E-C115-5142", "Cloud Run"),
    ("29E7-DA93-CA13", "Cloud Functions"),
    ("5490-F7B7-8DF6", "Cloud Logging"),
    ("58CD-E7C3-72CA", "Cloud Monitoring"),
    ("A1E8-BE35-7EBC", "Cloud Pub/Sub"),
    ("E505-1604-58F8", "Networking"),
    ("C7E2-9256-1C43", "Vertex AI"),
    ("5AF5-2C11-D467", "Cloud Memorystore for Redis"),
    ("CC63-0873-48FD", "Cloud Spanner"),
    ("1992-3666-B975", "Cloud Dataflow"),
    ("149C-F9EC-3994", "Artifact Registry"),
    ("EE2C-7FAC-5E08", "Secret Manager"),
    ("FA26-5236-A704", "Cloud DNS"),
    ("363B-8851-170D", "Cloud Dataproc"),
    ("F17B-412E-CB64", "Cloud Build"),
    ("E3A6-6A7C-6B83", "Cloud Key Management Service (KMS)"),
];

const GIB: f64 = 1_073_741_824.0;
const MONTH_S: f64 = 2_592_000.0;

macro_rules! gsku {
    ($svc:expr, $d:expr, $u:expr, $pu:expr, $per:expr, $price:expr, ($lo:expr, $hi:expr), $w:expr, $el:expr, $res:ident, $cr:ident, $m:expr, $reg:expr) => {
        GSku {
            service: $svc,
            description: $d,
            unit: $u,
            pricing_unit: $pu,
            per_pricing_unit: $per,
            price: $price,
            per_day: ($lo, $hi),
            weight: $w,
            elastic: $el,
            res: Res::$res,
            credit: Credit::$cr,
            machine: $m,
            regional: $reg,
        }
    };
}

static SKUS: &[GSku] = &[
    gsku!(
        0,
        "N2 Instance Core running in Americas",
        "seconds",
        "hour",
        3600.0,
        0.031611,
        (48.0, 384.0),
        10,
        false,
        Instance,
        SudOrCud,
        "n2-standard-4",
        true
    ),
    gsku!(
        0,
        "N2 Instance Ram running in Americas",
        "byte-seconds",
        "gibibyte hour",
        GIB * 3600.0,
        0.004237,
        (192.0, 1536.0),
        10,
        false,
        Instance,
        SudOrCud,
        "n2-standard-4",
        true
    ),
    gsku!(
        0,
        "E2 Instance Core running in Americas",
        "seconds",
        "hour",
        3600.0,
        0.021811,
        (12.0, 96.0),
        8,
        false,
        Instance,
        None,
        "e2-standard-2",
        true
    ),
    gsku!(
        0,
        "SSD backed PD Capacity",
        "byte-seconds",
        "gibibyte month",
        GIB * MONTH_S,
        0.17,
        (3.0, 70.0),
        8,
        false,
        Disk,
        None,
        "",
        true
    ),
    gsku!(
        0,
        "Network Internet Egress from Americas to Americas",
        "bytes",
        "gibibyte",
        GIB,
        0.12,
        (1.0, 400.0),
        4,
        true,
        None,
        None,
        "",
        true
    ),
    gsku!(
        1,
        "Standard Storage US Multi-region",
        "byte-seconds",
        "gibibyte month",
        GIB * MONTH_S,
        0.026,
        (0.5, 800.0),
        6,
        false,
        Bucket,
        None,
        "",
        false
    ),
    gsku!(
        1,
        "Multi-Region Standard Class A Operations",
        "requests",
        "requests",
        1.0,
        0.000005,
        (10_000.0, 5_000_000.0),
        3,
        true,
        Bucket,
        None,
        "",
        false
    ),
    gsku!(
        2,
        "Analysis",
        "bytes",
        "tebibyte",
        GIB * 1024.0,
        6.25,
        (0.001, 2.0),
        4,
        true,
        None,
        None,
        "",
        false
    ),
    gsku!(
        2,
        "Active Logical Storage",
        "byte-seconds",
        "gibibyte month",
        GIB * MONTH_S,
        0.02,
        (0.3, 170.0),
        3,
        false,
        Dataset,
        None,
        "",
        false
    ),
    gsku!(
        3,
        "Cloud SQL for PostgreSQL: Zonal - vCPU in Americas",
        "seconds",
        "hour",
        3600.0,
        0.0413,
        (48.0, 384.0),
        4,
        false,
        SqlInstance,
        None,
        "",
        true
    ),
    gsku!(
        3,
        "Cloud SQL for PostgreSQL: Zonal - RAM in Americas",
        "byte-seconds",
        "gibibyte hour",
        GIB * 3600.0,
        0.007,
        (96.0, 1536.0),
        4,
        false,
        SqlInstance,
        None,
        "",
        true
    ),
    gsku!(
        4,
        "Regional Kubernetes Clusters",
        "seconds",
        "hour",
        3600.0,
        0.10,
        (24.0, 24.0),
        2,
        false,
        Cluster,
        None,
        "",
        true
    ),
    gsku!(
        5,
        "CPU Allocation Time",
        "seconds",
        "vCPU-second",
        1.0,
        0.000024,
        (1_000.0, 2_000_000.0),
        4,
        true,
        RunService,
        FreeTier,
        "",
        true
    ),
    gsku!(
        6,
        "CPU Time",
        "seconds",
        "GHz-second",
        1.0,
        0.00001,
        (1_000.0, 3_000_000.0),
        3,
        true,
        Function,
        FreeTier,
        "",
        true
    ),
    gsku!(
        7,
        "Log Volume",
        "bytes",
        "gibibyte",
        GIB,
        0.50,
        (0.5, 60.0),
        4,
        true,
        None,
        None,
        "",
        false
    ),
    gsku!(
        8,
        "Monitoring Data",
        "bytes",
        "mebibyte",
        1_048_576.0,
        0.258,
        (1.0, 300.0),
        2,
        true,
        None,
        None,
        "",
        false
    ),
    gsku!(
        9,
        "Message Delivery Basic",
        "bytes",
        "tebibyte",
        GIB * 1024.0,
        40.0,
        (0.0001, 0.1),
        3,
        true,
        Topic,
        None,
        "",
        false
    ),
    gsku!(
        10,
        "Networking Cloud Load Balancing Forwarding Rule Minimum Global",
        "seconds",
        "hour",
        3600.0,
        0.025,
        (24.0, 24.0),
        3,
        false,
        ForwardingRule,
        None,
        "",
        false
    ),
    gsku!(
        11,
        "Vertex AI: Online/Batch Prediction N1 Predefined Instance Core running in Americas",
        "seconds",
        "hour",
        3600.0,
        0.0356,
        (24.0, 96.0),
        2,
        true,
        Endpoint,
        None,
        "",
        true
    ),
    gsku!(
        12,
        "Redis Capacity Basic M2",
        "byte-seconds",
        "gibibyte hour",
        GIB * 3600.0,
        0.027,
        (120.0, 624.0),
        2,
        false,
        Redis,
        None,
        "",
        true
    ),
    gsku!(
        13,
        "Cloud Spanner Instance Node",
        "seconds",
        "hour",
        3600.0,
        0.90,
        (24.0, 72.0),
        1,
        false,
        Spanner,
        None,
        "",
        true
    ),
    gsku!(
        14,
        "Dataflow Batch vCPU",
        "seconds",
        "hour",
        3600.0,
        0.056,
        (1.0, 200.0),
        2,
        true,
        Job,
        None,
        "",
        true
    ),
    gsku!(
        15,
        "Artifact Registry Storage",
        "byte-seconds",
        "gibibyte month",
        GIB * MONTH_S,
        0.10,
        (0.1, 10.0),
        2,
        false,
        Repository,
        None,
        "",
        true
    ),
    gsku!(
        16,
        "Secret version replica storage",
        "seconds",
        "month",
        MONTH_S,
        0.06,
        (0.0333, 0.0334),
        2,
        false,
        Secret,
        None,
        "",
        false
    ),
    gsku!(
        17,
        "ManagedZone",
        "seconds",
        "month",
        MONTH_S,
        0.20,
        (0.0333, 0.0334),
        1,
        false,
        Zone,
        None,
        "",
        false
    ),
    gsku!(
        18,
        "Licensing Fee for Dataproc",
        "seconds",
        "hour",
        3600.0,
        0.01,
        (10.0, 500.0),
        1,
        true,
        Cluster,
        None,
        "",
        true
    ),
    gsku!(
        19,
        "Build time",
        "seconds",
        "minute",
        60.0,
        0.003,
        (10.0, 2_000.0),
        2,
        true,
        None,
        None,
        "",
        false
    ),
    gsku!(
        20,
        "Active software symmetric key versions",
        "seconds",
        "month",
        MONTH_S,
        0.06,
        (0.0333, 0.0334),
        1,
        false,
        Key,
        None,
        "",
        true
    ),
];

/// (region, country, weight, price %).
static LOCATIONS: &[(&str, &str, u32, i64)] = &[
    ("us-central1", "US", 40, 100),
    ("us-east1", "US", 20, 100),
    ("us-west1", "US", 10, 100),
    ("europe-west1", "BE", 12, 110),
    ("europe-west4", "NL", 8, 110),
    ("asia-southeast1", "SG", 5, 123),
];

/// Projects: id suffix, environment, weight.
static PROJECTS: &[(&str, &str, u32)] = &[
    ("prod-web", "prod", 35),
    ("prod-data", "prod", 25),
    ("staging", "staging", 10),
    ("dev", "dev", 12),
    ("ml", "prod", 10),
    ("shared-net", "prod", 6),
];

/// First month of the N2 committed-use discount.
const CUD_START_MONTH: usize = 4;
/// Months with a promotional credit (the first three).
const PROMO_MONTHS: usize = 3;

struct Project {
    id: String,
    number: String,
    name: String,
    env: &'static str,
    labels: Vec<Label>,
    ancestry: String,
}

#[derive(Serialize, Clone)]
struct Label {
    key: String,
    value: String,
}

struct Slot {
    h: u64,
    sku: usize,
    project: usize,
    region: usize,
    zone: char,
    labels: Vec<Label>,
    name: String,
    global_name: String,
    base: f64,
    cud: bool,
}

fn make_slot(seed: u64, projects: &[Project], i: u64) -> Slot {
    let h = key(seed, &[4, i, 0x5107]);
    let sw: Vec<u32> = SKUS.iter().map(|s| s.weight).collect();
    let pw: Vec<u32> = PROJECTS.iter().map(|p| p.2).collect();
    let lw: Vec<u32> = LOCATIONS.iter().map(|l| l.2).collect();
    let sku_i = weighted(key(h, &[1]), &sw);
    let sku = &SKUS[sku_i];
    let project = weighted(key(h, &[2]), &pw);
    let region = weighted(key(h, &[3]), &lw);
    let app = below(key(h, &[4]), APPS.len());
    let p = &projects[project];
    let (a, env) = (APPS[app].0, p.env);
    let r = LOCATIONS[region].0;
    let zone = (b'a' + below(key(h, &[5]), 3) as u8) as char;
    let n = 1 + below(key(h, &[6]), 30);
    let pid = &p.id;
    let num_id =
        1_000_000_000_000_000_000u64 + below(key(h, &[7]), 8_000_000_000_000_000_000) as u64;
    let (name, global) = match sku.res {
        Res::None => (String::new(), String::new()),
        Res::Instance => {
            let name = if unit(key(h, &[8])) < 0.4 {
                format!(
                    "gke-{env}-{a}-pool-{:08x}-{}",
                    (h >> 32) as u32,
                    &format!("{:x}", h)[..4]
                )
            } else {
                format!("{a}-{env}-{n:02}")
            };
            let g = format!(
                "//compute.googleapis.com/projects/{pid}/zones/{r}-{zone}/instances/{num_id}"
            );
            (name, g)
        }
        Res::Disk => {
            let name = format!("{a}-{env}-{n:02}-data");
            (
                name.clone(),
                format!("//compute.googleapis.com/projects/{pid}/zones/{r}-{zone}/disks/{num_id}"),
            )
        }
        Res::Bucket => {
            let name = format!(
                "{pid}-{a}-{}",
                ["assets", "exports", "backups", "logs"][below(h, 4)]
            );
            (
                name.clone(),
                format!("//storage.googleapis.com/projects/_/buckets/{name}"),
            )
        }
        Res::Dataset => {
            let name = format!(
                "{}_{}",
                a.replace('-', "_"),
                ["raw", "curated", "marts"][below(h, 3)]
            );
            (
                name.clone(),
                format!("//bigquery.googleapis.com/projects/{pid}/datasets/{name}"),
            )
        }
        Res::SqlInstance => {
            let name = format!("{a}-{env}-pg");
            (
                name.clone(),
                format!("//cloudsql.googleapis.com/projects/{pid}/instances/{name}"),
            )
        }
        Res::Cluster => {
            let name = format!("{env}-{a}-cluster");
            (
                name.clone(),
                format!("//container.googleapis.com/projects/{pid}/locations/{r}/clusters/{name}"),
            )
        }
        Res::RunService => {
            let name = format!("{a}-api");
            (
                name.clone(),
                format!("//run.googleapis.com/projects/{pid}/locations/{r}/services/{name}"),
            )
        }
        Res::Function => {
            let name = format!("{a}-{}", ["handler", "worker", "webhook"][below(h, 3)]);
            (
                name.clone(),
                format!(
                    "//cloudfunctions.googleapis.com/projects/{pid}/locations/{r}/functions/{name}"
                ),
            )
        }
        Res::Topic => {
            let name = format!("{a}-events");
            (
                name.clone(),
                format!("//pubsub.googleapis.com/projects/{pid}/topics/{name}"),
            )
        }
        Res::Redis => {
            let name = format!("{a}-{env}-cache");
            (
                name.clone(),
                format!("//redis.googleapis.com/projects/{pid}/locations/{r}/instances/{name}"),
            )
        }
        Res::Spanner => {
            let name = format!("{a}-spanner");
            (
                name.clone(),
                format!("//spanner.googleapis.com/projects/{pid}/instances/{name}"),
            )
        }
        Res::Job => {
            let name = format!("{a}-etl-{:08x}", h as u32);
            (
                name.clone(),
                format!("//dataflow.googleapis.com/projects/{pid}/locations/{r}/jobs/{name}"),
            )
        }
        Res::Repository => {
            let name = a.to_string();
            (
                name.clone(),
                format!(
                    "//artifactregistry.googleapis.com/projects/{pid}/locations/{r}/repositories/{name}"
                ),
            )
        }
        Res::Secret => {
            let name = format!("{a}-db-password");
            (
                name.clone(),
                format!(
                    "//secretmanager.googleapis.com/projects/{}/secrets/{name}",
                    p.number
                ),
            )
        }
        Res::Zone => {
            let name = format!("{a}-zone");
            (
                name.clone(),
                format!("//dns.googleapis.com/projects/{pid}/managedZones/{name}"),
            )
        }
        Res::Endpoint => {
            let name = format!("{a}-endpoint");
            (
                name.clone(),
                format!(
                    "//aiplatform.googleapis.com/projects/{}/locations/{r}/endpoints/{num_id}",
                    p.number
                ),
            )
        }
        Res::ForwardingRule => {
            let name = format!("{a}-{env}-https-rule");
            (
                name.clone(),
                format!("//compute.googleapis.com/projects/{pid}/global/forwardingRules/{name}"),
            )
        }
        Res::Key => {
            let name = format!("{a}-key");
            (
                name.clone(),
                format!(
                    "//cloudkms.googleapis.com/projects/{pid}/locations/{r}/keyRings/{env}/cryptoKeys/{name}"
                ),
            )
        }
    };
    let tags = Tags::for_resource(key(h, &[9]), app, env);
    let (lo, hi) = sku.per_day;
    Slot {
        h,
        sku: sku_i,
        project,
        region: if sku.regional { region } else { 0 },
        zone,
        labels: tags
            .iter()
            .map(|(k, v)| Label {
                key: k.to_string(),
                value: v.to_lowercase(),
            })
            .collect(),
        name,
        global_name: global,
        base: if hi > lo {
            lo * (hi / lo).powf(unit(key(h, &[10])))
        } else {
            lo
        },
        // The commitment covers N2 usage in production projects.
        cud: sku.credit == Credit::SudOrCud && env == "prod" && unit(key(h, &[11])) < 0.7,
    }
}

#[derive(Serialize)]
struct Named<'a> {
    id: &'a str,
    description: &'a str,
}

#[derive(Serialize)]
struct ProjectOut<'a> {
    id: &'a str,
    number: &'a str,
    name: &'a str,
    labels: &'a [Label],
    ancestry_numbers: &'a str,
}

#[derive(Serialize)]
struct LocationOut<'a> {
    location: &'a str,
    country: &'a str,
    region: Option<&'a str>,
    zone: Option<&'a str>,
}

#[derive(Serialize)]
struct ResourceOut<'a> {
    name: Option<&'a str>,
    global_name: Option<&'a str>,
}

#[derive(Serialize)]
struct UsageOut<'a> {
    amount: f64,
    unit: &'a str,
    amount_in_pricing_units: f64,
    pricing_unit: &'a str,
}

#[derive(Serialize)]
struct CreditOut<'a> {
    name: &'a str,
    amount: f64,
    full_name: Option<&'a str>,
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
}

#[derive(Serialize)]
struct Invoice<'a> {
    month: &'a str,
}

/// One export row.
#[derive(Serialize)]
struct Row<'a> {
    billing_account_id: &'a str,
    service: Named<'a>,
    sku: Named<'a>,
    usage_start_time: &'a str,
    usage_end_time: &'a str,
    project: Option<ProjectOut<'a>>,
    labels: &'a [Label],
    system_labels: Vec<Label>,
    location: LocationOut<'a>,
    resource: ResourceOut<'a>,
    export_time: &'a str,
    cost: f64,
    currency: &'a str,
    currency_conversion_rate: f64,
    usage: UsageOut<'a>,
    credits: Vec<CreditOut<'a>>,
    invoice: Invoice<'a>,
    cost_type: &'a str,
    adjustment_info: Option<()>,
    cost_at_list: f64,
}

/// Midnight US Pacific time of `d`, in UTC milliseconds (DST from the second Sunday of March to
/// the first Sunday of November).
fn pacific_midnight_ms(d: NaiveDate) -> i64 {
    let nth_sunday = |month: u32, n: u32| {
        let first = NaiveDate::from_ymd_opt(d.year(), month, 1).unwrap_or(d);
        let offset =
            (7 + Weekday::Sun.num_days_from_monday() - first.weekday().num_days_from_monday()) % 7;
        first + chrono::Days::new(u64::from(offset + 7 * (n - 1)))
    };
    let dst = d > nth_sunday(3, 2) && d <= nth_sunday(11, 1);
    crate::calendar::midnight_ms(d) + if dst { 7 } else { 8 } * 3_600_000
}

fn bq_ts(ms: i64) -> String {
    // BigQuery prints TIMESTAMP values in JSON exports as `YYYY-MM-DD HH:MM:SS UTC`.
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default()
}

fn sku_id(seed: u64, i: usize) -> String {
    let h = key(seed, &[i as u64, 0x5c1d]);
    format!(
        "{:04X}-{:04X}-{:04X}",
        (h >> 48) & 0xffff,
        (h >> 32) & 0xffff,
        (h >> 16) & 0xffff
    )
}

/// A credit: name, amount, full name, type.
type CreditRow = (&'static str, i64, Option<&'static str>, &'static str);

struct Out {
    w: BufWriter<File>,
    path: PathBuf,
    rows: u64,
    cost: Sum,
    credits: Sum,
    list: Sum,
    by_type: BTreeMap<String, u64>,
}

/// Generates the billing account's 13 invoice months.
pub(crate) fn generate(
    seed: u64,
    cal: &Calendar,
    rows: u64,
    out_dir: &Path,
    progress: &mut Progress,
) -> Result<StreamOutput, DemoError> {
    let root = out_dir.join("gcp-billing");
    std::fs::create_dir_all(&root).map_err(io_err(&root))?;
    let hx = |h: u64| format!("{:06X}", h & 0xff_ffff);
    let account = format!(
        "{}-{}-{}",
        hx(key(seed, &[0xb1])),
        hx(key(seed, &[0xb2])),
        hx(key(seed, &[0xb3]))
    );
    let org = 100_000_000_000u64 + below(key(seed, &[0x0e6]), 899_999_999_999) as u64;
    let folder = 100_000_000_000u64 + below(key(seed, &[0xf0d]), 899_999_999_999) as u64;
    let projects: Vec<Project> = PROJECTS
        .iter()
        .enumerate()
        .map(|(i, (suffix, env, _))| {
            let suffix6 = &format!("{:x}", key(seed, &[0x9d, i as u64]))[..6];
            Project {
                id: format!("initech-{suffix}-{suffix6}"),
                number: format!(
                    "{}",
                    100_000_000_000u64
                        + below(key(seed, &[0x9e, i as u64]), 899_999_999_999) as u64
                ),
                name: format!("initech-{suffix}"),
                env,
                labels: vec![
                    Label {
                        key: "env".into(),
                        value: (*env).into(),
                    },
                    Label {
                        key: "owner".into(),
                        value: "platform".into(),
                    },
                ],
                ancestry: format!("/{org}/{folder}/"),
            }
        })
        .collect();
    let mut slots = Slots::new(|i| make_slot(seed, &projects, i));
    let sku_ids: Vec<String> = (0..SKUS.len()).map(|i| sku_id(seed, i)).collect();
    let targets = cal.cumulative_targets(rows);
    let limit = fleet::always_active(&targets, 1);
    let mut spikes = fleet::place_spikes(fleet::spike_windows(seed, 4, cal, 2), limit, |i| {
        let s = slots.get(i);
        let sku = &SKUS[s.sku];
        (sku.elastic && sku.credit == Credit::None).then_some((
            s.project,
            SERVICES[sku.service].1,
            s.base * sku.price,
        ))
    });
    let mut written = 0u64;
    let mut reserve = 0u64;
    let mut files = Vec::new();
    let mut out: Option<Out> = None;
    let mut month_cost: BTreeMap<usize, i64> = BTreeMap::new();
    let mut line = Vec::with_capacity(2048);
    let cud_id = format!(
        "{}",
        1_000_000_000_000u64 + below(key(seed, &[0xc0d]), 8_999_999_999_999) as u64
    );
    for (d, (day, &target)) in cal.days.iter().zip(&targets).enumerate() {
        let mi = day.month;
        let m = &cal.months[mi];
        let invoice = format!("{:04}{:02}", m.year(), m.month());
        if d == m.first_day {
            let path = root.join(format!(
                "gcp_billing_export_resource_v1_{}_{invoice}.jsonl",
                account.replace('-', "_")
            ));
            let f = File::create(&path).map_err(io_err(&path))?;
            out = Some(Out {
                w: BufWriter::with_capacity(1 << 20, f),
                path,
                rows: 0,
                cost: Sum::default(),
                credits: Sum::default(),
                list: Sum::default(),
                by_type: BTreeMap::new(),
            });
            month_cost.clear();
        }
        let Some(o) = out.as_mut() else { continue };
        let start_ms = pacific_midnight_ms(day.date);
        let end_ms = pacific_midnight_ms(day.date.succ_opt().unwrap_or(day.date));
        let (start, end) = (bq_ts(start_ms), bq_ts(end_ms));
        let export =
            bq_ts(end_ms + (3 + below(key(seed, &[d as u64, 0xe7]), 20) as i64) * 3_600_000);
        let quota = target.saturating_sub(if mi + 1 == MONTHS { reserve } else { 0 });
        let mut cud_covered = 0i64;
        let mut i = 0;
        while written < quota {
            let s = slots.get(i);
            i += 1;
            let sku = &SKUS[s.sku];
            let (lo, hi) = sku.per_day;
            let mut amount_f = s.base;
            if hi > lo {
                amount_f *= fleet::daily_factor(seed, s.h, cal, d, sku.elastic);
                if sku.pricing_unit == "gibibyte month" {
                    amount_f *= 1.02f64.powi(mi as i32);
                }
            }
            let (region, country, _, pct) = LOCATIONS[s.region];
            let rate = money::scale(money::rate(sku.price), pct, 100);
            let service = SERVICES[sku.service];
            let baseline = money::amount(amount_f);
            let spike = spikes.factor(s.project, service.1, d);
            let amount = spike.map_or(baseline, |(_, f)| money::amount(amount_f * f));
            let cost = money::cost(amount, rate);
            if let Some((si, _)) = spike {
                spikes.record(si, cost, money::cost(baseline, rate));
            }
            let mut credits: Vec<CreditRow> = Vec::new();
            match sku.credit {
                Credit::SudOrCud if s.cud && mi >= CUD_START_MONTH => {
                    cud_covered += cost;
                    credits.push((
                        "Committed use discount: N2 Cpu",
                        -cost,
                        None,
                        "COMMITTED_USAGE_DISCOUNT",
                    ));
                }
                Credit::SudOrCud => credits.push((
                    "Sustained Usage Discount",
                    -money::scale(cost, 20, 100),
                    None,
                    "SUSTAINED_USAGE_DISCOUNT",
                )),
                Credit::FreeTier => credits.push((
                    "Free tier",
                    -cost.min(money::amount(0.05)),
                    None,
                    "FREE_TIER",
                )),
                Credit::None => {}
            }
            if mi < PROMO_MONTHS {
                let remaining = cost + credits.iter().map(|c| c.1).sum::<i64>();
                credits.push((
                    "Google Cloud startup credit",
                    -money::scale(remaining.max(0), 10, 100),
                    Some("Google for Startups Cloud Program"),
                    "PROMOTION",
                ));
            }
            credits.retain(|c| c.1 != 0);
            let credit_sum: i64 = credits.iter().map(|c| c.1).sum();
            let p = &projects[s.project];
            let zone = format!("{region}-{}", s.zone);
            let system_labels = if sku.machine.is_empty() {
                vec![]
            } else {
                vec![
                    Label {
                        key: "compute.googleapis.com/machine_spec".into(),
                        value: sku.machine.into(),
                    },
                    Label {
                        key: "compute.googleapis.com/cores".into(),
                        value: sku.machine.rsplit('-').next().unwrap_or("").into(),
                    },
                ]
            };
            let row = Row {
                billing_account_id: &account,
                service: Named {
                    id: service.0,
                    description: service.1,
                },
                sku: Named {
                    id: &sku_ids[s.sku],
                    description: sku.description,
                },
                usage_start_time: &start,
                usage_end_time: &end,
                project: Some(ProjectOut {
                    id: &p.id,
                    number: &p.number,
                    name: &p.name,
                    labels: &p.labels,
                    ancestry_numbers: &p.ancestry,
                }),
                labels: &s.labels,
                system_labels,
                location: if sku.regional {
                    LocationOut {
                        location: if sku.res == Res::Instance || sku.res == Res::Disk {
                            &zone
                        } else {
                            region
                        },
                        country,
                        region: Some(region),
                        zone: (sku.res == Res::Instance || sku.res == Res::Disk)
                            .then_some(zone.as_str()),
                    }
                } else {
                    LocationOut {
                        location: "us",
                        country: "US",
                        region: None,
                        zone: None,
                    }
                },
                resource: ResourceOut {
                    name: (!s.name.is_empty()).then_some(s.name.as_str()),
                    global_name: (!s.global_name.is_empty()).then_some(s.global_name.as_str()),
                },
                export_time: &export,
                cost: money::to_f64(cost, money::SCALE),
                currency: "USD",
                currency_conversion_rate: 1.0,
                usage: UsageOut {
                    amount: money::to_f64(amount, money::SCALE) * sku.per_pricing_unit,
                    unit: sku.unit,
                    amount_in_pricing_units: money::to_f64(amount, money::SCALE),
                    pricing_unit: sku.pricing_unit,
                },
                credits: credits
                    .iter()
                    .map(|&(name, amount, full_name, kind)| CreditOut {
                        name,
                        amount: money::to_f64(amount, money::SCALE),
                        full_name,
                        id: "",
                        kind,
                    })
                    .collect(),
                invoice: Invoice { month: &invoice },
                cost_type: "regular",
                adjustment_info: None,
                cost_at_list: money::to_f64(cost, money::SCALE),
            };
            write_row(o, &mut line, &row)?;
            o.cost.add(cost);
            o.list.add(cost);
            o.credits.add(credit_sum);
            *o.by_type.entry("regular".into()).or_default() += 1;
            *month_cost.entry(s.project).or_default() += cost + credit_sum;
            written += 1;
            progress.tick(written);
        }
        if mi >= CUD_START_MONTH {
            // The 1-year N2 commitment: 63% of the on-demand price of what it covers, sized on
            // its first day with 5% headroom.
            let fee = money::scale(cud_covered, 63, 100).max(0);
            let p = &projects[0];
            let row = Row {
                billing_account_id: &account,
                service: Named {
                    id: SERVICES[0].0,
                    description: SERVICES[0].1,
                },
                sku: Named {
                    id: "9B0F-3A1C-6D4E",
                    description: "Commitment v1: N2 Cpu in Americas for 1 Year",
                },
                usage_start_time: &start,
                usage_end_time: &end,
                project: Some(ProjectOut {
                    id: &p.id,
                    number: &p.number,
                    name: &p.name,
                    labels: &p.labels,
                    ancestry_numbers: &p.ancestry,
                }),
                labels: &[],
                system_labels: vec![],
                location: LocationOut {
                    location: "us-central1",
                    country: "US",
                    region: Some("us-central1"),
                    zone: None,
                },
                resource: ResourceOut {
                    name: Some(&cud_id),
                    global_name: Some(&cud_id),
                },
                export_time: &export,
                cost: money::to_f64(fee, money::SCALE),
                currency: "USD",
                currency_conversion_rate: 1.0,
                usage: UsageOut {
                    amount: 86_400.0,
                    unit: "seconds",
                    amount_in_pricing_units: 24.0,
                    pricing_unit: "hour",
                },
                credits: vec![],
                invoice: Invoice { month: &invoice },
                cost_type: "regular",
                adjustment_info: None,
                cost_at_list: money::to_f64(fee, money::SCALE),
            };
            write_row(o, &mut line, &row)?;
            o.cost.add(fee);
            o.list.add(fee);
            *o.by_type.entry("regular".into()).or_default() += 1;
            written += 1;
        }
        if d + 1 == m.first_day + m.n_days {
            // Sales tax per project (8.25% of the month's net cost), dated the last day.
            let before = written;
            for (&pi, &net) in &month_cost {
                let tax = money::scale(net.max(0), 825, 10_000);
                let p = &projects[pi];
                let row = Row {
                    billing_account_id: &account,
                    service: Named {
                        id: "",
                        description: "Invoice",
                    },
                    sku: Named {
                        id: "",
                        description: "Tax",
                    },
                    usage_start_time: &start,
                    usage_end_time: &end,
                    project: Some(ProjectOut {
                        id: &p.id,
                        number: &p.number,
                        name: &p.name,
                        labels: &p.labels,
                        ancestry_numbers: &p.ancestry,
                    }),
                    labels: &[],
                    system_labels: vec![],
                    location: LocationOut {
                        location: "us",
                        country: "US",
                        region: None,
                        zone: None,
                    },
                    resource: ResourceOut {
                        name: None,
                        global_name: None,
                    },
                    export_time: &export,
                    cost: money::to_f64(tax, money::SCALE),
                    currency: "USD",
                    currency_conversion_rate: 1.0,
                    usage: UsageOut {
                        amount: 0.0,
                        unit: "",
                        amount_in_pricing_units: 0.0,
                        pricing_unit: "",
                    },
                    credits: vec![],
                    invoice: Invoice { month: &invoice },
                    cost_type: "tax",
                    adjustment_info: None,
                    cost_at_list: 0.0,
                };
                write_row(o, &mut line, &row)?;
                o.cost.add(tax);
                *o.by_type.entry("tax".into()).or_default() += 1;
                written += 1;
            }
            reserve = written - before + u64::from(mi >= CUD_START_MONTH);
            if let Some(Out {
                mut w,
                path,
                rows,
                cost,
                credits,
                list,
                by_type,
            }) = out.take()
            {
                w.flush().map_err(io_err(&path))?;
                let mut sums = BTreeMap::new();
                sums.insert("cost".to_string(), cost.decimal());
                sums.insert("credits.amount".to_string(), credits.decimal());
                sums.insert("cost_at_list".to_string(), list.decimal());
                files.push(GeneratedFile {
                    path,
                    format: "gcp-billing-jsonl",
                    rows,
                    cost_account_name: "initech-gcp".to_string(),
                    billing_period: (m.year(), m.month()),
                    manifest: None,
                    totals: FileTotals {
                        sums,
                        rows_by_type: by_type,
                    },
                });
            }
        }
    }
    let anomalies = spikes
        .0
        .iter()
        .map(|s| InjectedAnomaly {
            provider: "GCP",
            cost_account_name: "initech-gcp".to_string(),
            sub_account_id: projects[s.account].id.clone(),
            service: s.service.to_string(),
            start: cal.days[s.first_day].date,
            end: cal.days[s.last_day].date,
            factor: s.factor,
            cost: s.cost.decimal(),
            baseline_cost: s.baseline.decimal(),
        })
        .collect();
    Ok(StreamOutput {
        files,
        account: DemoCostAccount {
            name: "initech-gcp".to_string(),
            provider: "GCP",
            billing_account_id: account,
            root,
            sub_accounts: projects
                .iter()
                .map(|p| (p.id.clone(), p.name.clone()))
                .collect(),
        },
        anomalies,
    })
}

fn write_row(o: &mut Out, line: &mut Vec<u8>, row: &Row) -> Result<(), DemoError> {
    line.clear();
    serde_json::to_writer(&mut *line, row).map_err(|source| DemoError::Json {
        path: o.path.clone(),
        source,
    })?;
    line.push(b'\n');
    o.w.write_all(line).map_err(io_err(&o.path))?;
    o.rows += 1;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pacific_days_follow_daylight_saving() {
        let ms = |y, m, d| {
            pacific_midnight_ms(NaiveDate::from_ymd_opt(y, m, d).unwrap())
                - crate::calendar::midnight_ms(NaiveDate::from_ymd_opt(y, m, d).unwrap())
        };
        assert_eq!(ms(2026, 1, 15), 8 * 3_600_000);
        assert_eq!(ms(2026, 7, 1), 7 * 3_600_000);
        // DST starts 2026-03-08 at 02:00: that midnight is still standard time.
        assert_eq!(ms(2026, 3, 8), 8 * 3_600_000);
        assert_eq!(ms(2026, 3, 9), 7 * 3_600_000);
        // DST ends 2026-11-01 at 02:00: that midnight is still daylight time.
        assert_eq!(ms(2026, 11, 1), 7 * 3_600_000);
        assert_eq!(ms(2026, 11, 2), 8 * 3_600_000);
    }

    #[test]
    fn catalogue_is_broad() {
        assert!(SERVICES.len() >= 20);
        assert!(SKUS.iter().all(|s| s.service < SERVICES.len()));
    }
}
