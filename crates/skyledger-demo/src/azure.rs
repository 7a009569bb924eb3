//! Azure Cost Management exports for an EA enrollment: the actual-cost and amortized-cost CSV of
//! each month (header, date format, tag syntax and UTF-8 BOM of the finops-toolkit EA samples).
//! Reservations appear as `Purchase` rows and zero-cost covered usage in the actual file, and as
//! amortized covered usage plus `UnusedReservation` rows in the amortized file.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::aws::uuid;
use crate::calendar::{Calendar, MONTHS};
use crate::fleet::{self, APPS, Slots, Tags};
use crate::money::{self, Sum};
use crate::rng::{below, key, unit, weighted};
use crate::{
    DemoCostAccount, DemoError, FileTotals, GeneratedFile, InjectedAnomaly, Progress, StreamOutput,
    io_err,
};

/// The EA export header (finops-toolkit `EA_ActualCost_Small.csv`), same for amortized.
const HEADER: [&str; 55] = [
    "BillingAccountId",
    "BillingAccountName",
    "BillingPeriodStartDate",
    "BillingPeriodEndDate",
    "BillingProfileId",
    "BillingProfileName",
    "AccountOwnerId",
    "AccountName",
    "SubscriptionId",
    "SubscriptionName",
    "Date",
    "Product",
    "PartNumber",
    "MeterId",
    "ServiceFamily",
    "MeterCategory",
    "MeterSubCategory",
    "MeterRegion",
    "MeterName",
    "Quantity",
    "EffectivePrice",
    "Cost",
    "UnitPrice",
    "BillingCurrency",
    "ResourceLocation",
    "AvailabilityZone",
    "ConsumedService",
    "ResourceId",
    "ResourceName",
    "ServiceInfo1",
    "ServiceInfo2",
    "AdditionalInfo",
    "Tags",
    "InvoiceSectionId",
    "InvoiceSection",
    "CostCenter",
    "UnitOfMeasure",
    "ResourceGroup",
    "ReservationId",
    "ReservationName",
    "ProductOrderId",
    "ProductOrderName",
    "OfferId",
    "IsAzureCreditEligible",
    "Term",
    "PublisherName",
    "PlanName",
    "ChargeType",
    "Frequency",
    "PublisherType",
    "PayGPrice",
    "PricingModel",
    "CostAllocationRuleName",
    "benefitId",
    "benefitName",
];

/// First month covered by the VM reservations bought then.
const RI_START_MONTH: usize = 2;

/// One metered Azure product.
struct Meter {
    category: &'static str,
    sub_category: &'static str,
    name: &'static str,
    family: &'static str,
    /// Resource provider namespace and type, e.g. `Microsoft.Compute`, `virtualMachines`.
    provider: &'static str,
    rtype: &'static str,
    unit: &'static str,
    price: f64,
    per_day: (f64, f64),
    weight: u32,
    elastic: bool,
    /// VM size for reservable compute (`Standard_D4s_v5`), empty otherwise.
    vm_size: &'static str,
    vcpus: u32,
}

macro_rules! meter {
    ($c:expr, $s:expr, $n:expr, $f:expr, $p:expr, $t:expr, $u:expr, $price:expr, ($lo:expr, $hi:expr), $w:expr, $e:expr, $vm:expr, $cpu:expr) => {
        Meter { category: $c, sub_category: $s, name: $n, family: $f, provider: $p, rtype: $t, unit: $u, price: $price, per_day: ($lo, $hi), weight: $w, elastic: $e, vm_size: $vm, vcpus: $cpu }
    };
}

static METERS: &[Meter] = &[
    meter!(
        "Virtual Machines",
        "Dv5/DSv5 Series",
        "D4s v5",
        "Compute",
        "Microsoft.Compute",
        "virtualMachines",
        "1 Hour",
        0.192,
        (24.0, 24.0),
        10,
        false,
        "Standard_D4s_v5",
        4
    ),
    meter!(
        "Virtual Machines",
        "Dv5/DSv5 Series",
        "D8s v5",
        "Compute",
        "Microsoft.Compute",
        "virtualMachines",
        "1 Hour",
        0.384,
        (24.0, 24.0),
        6,
        false,
        "Standard_D8s_v5",
        8
    ),
    meter!(
        "Virtual Machines",
        "Ev5/ESv5 Series",
        "E4s v5",
        "Compute",
        "Microsoft.Compute",
        "virtualMachines",
        "1 Hour",
        0.252,
        (24.0, 24.0),
        4,
        false,
        "Standard_E4s_v5",
        4
    ),
    meter!(
        "Virtual Machines",
        "BS Series",
        "B2s",
        "Compute",
        "Microsoft.Compute",
        "virtualMachines",
        "1 Hour",
        0.0416,
        (8.0, 24.0),
        6,
        false,
        "",
        2
    ),
    meter!(
        "Virtual Machines",
        "NCasT4 v3 Series",
        "NC4as T4 v3",
        "Compute",
        "Microsoft.Compute",
        "virtualMachines",
        "1 Hour",
        0.526,
        (2.0, 24.0),
        1,
        true,
        "",
        4
    ),
    meter!(
        "Storage",
        "Premium SSD Managed Disks",
        "P10 LRS Disk",
        "Storage",
        "Microsoft.Compute",
        "disks",
        "1/Month",
        19.71,
        (0.0322, 0.0334),
        8,
        false,
        "",
        0
    ),
    meter!(
        "Storage",
        "Tiered Block Blob",
        "Hot LRS Data Stored",
        "Storage",
        "Microsoft.Storage",
        "storageAccounts",
        "1 GB/Month",
        0.0184,
        (0.03, 70.0),
        6,
        false,
        "",
        0
    ),
    meter!(
        "Storage",
        "Tiered Block Blob",
        "Hot Write Operations",
        "Storage",
        "Microsoft.Storage",
        "storageAccounts",
        "10K",
        0.055,
        (1.0, 5000.0),
        4,
        true,
        "",
        0
    ),
    meter!(
        "Bandwidth",
        "Rtn Preference: MGN",
        "Standard Data Transfer Out",
        "Networking",
        "Microsoft.Network",
        "publicIPAddresses",
        "1 GB",
        0.087,
        (1.0, 300.0),
        4,
        true,
        "",
        0
    ),
    meter!(
        "SQL Database",
        "General Purpose - Compute Gen5",
        "vCore",
        "Databases",
        "Microsoft.Sql",
        "servers",
        "1 Hour",
        0.2523,
        (48.0, 192.0),
        4,
        false,
        "",
        0
    ),
    meter!(
        "Azure App Service",
        "Premium v3 Plan",
        "P1 v3 App",
        "Compute",
        "Microsoft.Web",
        "serverFarms",
        "1 Hour",
        0.225,
        (24.0, 24.0),
        4,
        false,
        "",
        0
    ),
    meter!(
        "Azure Kubernetes Service",
        "Standard",
        "Standard Uptime SLA",
        "Compute",
        "Microsoft.ContainerService",
        "managedClusters",
        "1 Hour",
        0.10,
        (24.0, 24.0),
        2,
        false,
        "",
        0
    ),
    meter!(
        "Azure Cosmos DB",
        "Azure Cosmos DB serverless",
        "Request Units",
        "Databases",
        "Microsoft.DocumentDB",
        "databaseAccounts",
        "1M",
        0.25,
        (1.0, 500.0),
        3,
        true,
        "",
        0
    ),
    meter!(
        "Functions",
        "",
        "Standard Execution Time",
        "Compute",
        "Microsoft.Web",
        "sites",
        "1 GB Second",
        0.000016,
        (1000.0, 2_000_000.0),
        3,
        true,
        "",
        0
    ),
    meter!(
        "Log Analytics",
        "",
        "Analytics Logs Data Ingestion",
        "Management and Governance",
        "Microsoft.OperationalInsights",
        "workspaces",
        "1 GB",
        2.30,
        (0.5, 40.0),
        4,
        true,
        "",
        0
    ),
    meter!(
        "Key Vault",
        "",
        "Operations",
        "Security",
        "Microsoft.KeyVault",
        "vaults",
        "10K",
        0.03,
        (1.0, 200.0),
        3,
        true,
        "",
        0
    ),
    meter!(
        "Load Balancer",
        "Standard",
        "Standard Included LB Rules and Outbound Rules",
        "Networking",
        "Microsoft.Network",
        "loadBalancers",
        "1 Hour",
        0.025,
        (24.0, 24.0),
        3,
        false,
        "",
        0
    ),
    meter!(
        "Virtual Network",
        "IP Addresses",
        "Standard IPv4 Static Public IP",
        "Networking",
        "Microsoft.Network",
        "publicIPAddresses",
        "1 Hour",
        0.005,
        (24.0, 24.0),
        4,
        false,
        "",
        0
    ),
    meter!(
        "Redis Cache",
        "Premium",
        "P1 Cache Instance",
        "Databases",
        "Microsoft.Cache",
        "Redis",
        "1 Hour",
        0.554,
        (24.0, 24.0),
        2,
        false,
        "",
        0
    ),
    meter!(
        "Container Registry",
        "Premium",
        "Premium Registry Unit",
        "Containers",
        "Microsoft.ContainerRegistry",
        "registries",
        "1/Day",
        1.667,
        (1.0, 1.0),
        2,
        false,
        "",
        0
    ),
    meter!(
        "Azure Database for PostgreSQL",
        "Flexible Server General Purpose Dsv5 Series Compute",
        "vCore",
        "Databases",
        "Microsoft.DBforPostgreSQL",
        "flexibleServers",
        "1 Hour",
        0.0875,
        (48.0, 192.0),
        3,
        false,
        "",
        0
    ),
    meter!(
        "Event Hubs",
        "Standard",
        "Standard Throughput Unit",
        "Internet of Things",
        "Microsoft.EventHub",
        "namespaces",
        "1 Hour",
        0.03,
        (24.0, 96.0),
        2,
        false,
        "",
        0
    ),
    meter!(
        "Azure Data Factory v2",
        "Cloud Orchestration Activity Run",
        "Orchestration Activity Run",
        "Analytics",
        "Microsoft.DataFactory",
        "factories",
        "1K",
        1.0,
        (0.5, 50.0),
        2,
        true,
        "",
        0
    ),
    meter!(
        "Backup",
        "",
        "Azure VM Protected Instances",
        "Storage",
        "Microsoft.RecoveryServices",
        "vaults",
        "1/Month",
        10.0,
        (0.0322, 0.0334),
        2,
        false,
        "",
        0
    ),
    meter!(
        "Azure Monitor",
        "",
        "Native Metric Queries",
        "Management and Governance",
        "Microsoft.Insights",
        "components",
        "1K",
        0.01,
        (10.0, 3000.0),
        2,
        true,
        "",
        0
    ),
    meter!(
        "Application Gateway",
        "Standard v2",
        "Standard Capacity Units",
        "Networking",
        "Microsoft.Network",
        "applicationGateways",
        "1/Hour",
        0.008,
        (24.0, 480.0),
        2,
        true,
        "",
        0
    ),
    meter!(
        "Azure DNS",
        "",
        "Public Zone",
        "Networking",
        "Microsoft.Network",
        "dnszones",
        "1/Month",
        0.50,
        (0.0322, 0.0334),
        1,
        false,
        "",
        0
    ),
    meter!(
        "Azure Firewall",
        "Standard",
        "Standard Deployment",
        "Networking",
        "Microsoft.Network",
        "azureFirewalls",
        "1/Hour",
        1.25,
        (24.0, 24.0),
        1,
        false,
        "",
        0
    ),
    meter!(
        "Azure Front Door Service",
        "Standard",
        "Standard Data Transfer Out",
        "Networking",
        "Microsoft.Cdn",
        "profiles",
        "1 GB",
        0.083,
        (5.0, 800.0),
        2,
        true,
        "",
        0
    ),
];

struct AzRegion {
    location: &'static str,
    meter_region: &'static str,
    display: &'static str,
    weight: u32,
    price_pct: i64,
}

static REGIONS: &[AzRegion] = &[
    AzRegion {
        location: "eastus",
        meter_region: "US East",
        display: "US East",
        weight: 40,
        price_pct: 100,
    },
    AzRegion {
        location: "eastus2",
        meter_region: "US East 2",
        display: "US East 2",
        weight: 15,
        price_pct: 100,
    },
    AzRegion {
        location: "westus2",
        meter_region: "US West 2",
        display: "US West 2",
        weight: 12,
        price_pct: 100,
    },
    AzRegion {
        location: "westeurope",
        meter_region: "EU West",
        display: "West Europe",
        weight: 15,
        price_pct: 112,
    },
    AzRegion {
        location: "northeurope",
        meter_region: "EU North",
        display: "North Europe",
        weight: 8,
        price_pct: 108,
    },
    AzRegion {
        location: "uksouth",
        meter_region: "UK South",
        display: "UK South",
        weight: 5,
        price_pct: 110,
    },
    AzRegion {
        location: "southeastasia",
        meter_region: "AP Southeast",
        display: "Southeast Asia",
        weight: 5,
        price_pct: 118,
    },
];

/// Subscriptions: name, environment, department (invoice section), cost centre, weight.
static SUBSCRIPTIONS: &[(&str, &str, &str, &str, u32)] = &[
    ("contoso-prod", "prod", "Engineering", "ENG100", 40),
    ("contoso-nonprod", "dev", "Engineering", "ENG100", 18),
    ("contoso-data", "prod", "Data Platform", "DAT200", 22),
    ("contoso-shared", "prod", "IT Operations", "OPS300", 12),
    ("contoso-sandbox", "dev", "Innovation Lab", "LAB400", 8),
];

struct Slot {
    h: u64,
    meter: usize,
    sub: usize,
    region: usize,
    rg: String,
    name: String,
    resource_id: String,
    tags: String,
    reserved: bool,
}

fn slot(seed: u64, subs: &[String], i: u64) -> Slot {
    let h = key(seed, &[3, i, 0x5107]);
    let mw: Vec<u32> = METERS.iter().map(|m| m.weight).collect();
    let rw: Vec<u32> = REGIONS.iter().map(|r| r.weight).collect();
    let sw: Vec<u32> = SUBSCRIPTIONS.iter().map(|s| s.4).collect();
    let meter = weighted(key(h, &[1]), &mw);
    let m = &METERS[meter];
    let sub = weighted(key(h, &[2]), &sw);
    let region = weighted(key(h, &[3]), &rw);
    let app = below(key(h, &[4]), APPS.len());
    let env = SUBSCRIPTIONS[sub].1;
    let a = APPS[app].0;
    let n = 1 + below(key(h, &[5]), 20);
    let compact: String = a.chars().filter(char::is_ascii_alphanumeric).collect();
    let (rg, name) = match m.rtype {
        "virtualMachines" => (format!("rg-{a}-{env}"), format!("vm-{a}-{env}-{n:02}")),
        "disks" => (
            format!("rg-{a}-{env}"),
            format!(
                "vm-{a}-{env}-{n:02}_OsDisk_1_{}",
                &uuid(h).replace('-', "")[..32]
            ),
        ),
        "storageAccounts" => (
            format!("rg-{a}-{env}"),
            format!(
                "st{}{env}{}",
                &compact[..compact.len().min(10)],
                &format!("{:x}", h)[..6]
            ),
        ),
        "servers" => (
            format!("rg-{a}-{env}"),
            format!("sql-{a}-{env}/databases/{compact}db"),
        ),
        "managedClusters" => (format!("rg-aks-{env}"), format!("aks-{a}-{env}")),
        "flexibleServers" => (format!("rg-{a}-{env}"), format!("psql-{a}-{env}")),
        "Redis" => (format!("rg-{a}-{env}"), format!("redis-{a}-{env}")),
        "registries" => ("rg-shared-acr".to_string(), format!("acr{compact}{env}")),
        "workspaces" => (
            "rg-monitoring".to_string(),
            format!("log-{env}-{}", REGIONS[region].location),
        ),
        _ => (
            format!("rg-{a}-{env}"),
            format!("{}-{a}-{env}", short(m.provider, m.rtype)),
        ),
    };
    let resource_id = format!(
        "/subscriptions/{}/resourceGroups/{rg}/providers/{}/{}/{name}",
        subs[sub], m.provider, m.rtype
    );
    let t = Tags::for_resource(key(h, &[6]), app, env);
    // EA exports print tags as comma-separated `"key": "value"` pairs without braces.
    let tags = t
        .iter()
        .map(|(k, v)| format!("\"{k}\": \"{v}\""))
        .collect::<Vec<_>>()
        .join(",");
    Slot {
        h,
        meter,
        sub,
        region,
        rg,
        name: name.rsplit('/').next().unwrap_or(&name).to_string(),
        resource_id,
        tags,
        reserved: !m.vm_size.is_empty() && unit(key(h, &[7])) < 0.4,
    }
}

fn short(provider: &str, rtype: &str) -> &'static str {
    match rtype {
        "vaults" if provider == "Microsoft.RecoveryServices" => "rsv",
        "serverFarms" => "asp",
        "sites" => "func",
        "databaseAccounts" => "cosmos",
        "vaults" => "kv",
        "loadBalancers" => "lbe",
        "publicIPAddresses" => "pip",
        "namespaces" => "evhns",
        "factories" => "adf",
        "profiles" => "afd",
        "components" => "appi",
        "applicationGateways" => "agw",
        "dnszones" => "zone",
        "azureFirewalls" => "afw",
        _ => "res",
    }
}

fn mdy(d: NaiveDate) -> String {
    d.format("%m/%d/%Y").to_string()
}

struct Out {
    w: BufWriter<File>,
    path: PathBuf,
    rows: u64,
    cost: Sum,
    by_type: BTreeMap<String, u64>,
}

impl Out {
    fn create(
        root: &Path,
        kind: &str,
        export: &str,
        seed: u64,
        month: usize,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Out, DemoError> {
        let dir = root.join(kind).join(format!(
            "{}-{}",
            start.format("%Y%m%d"),
            end.format("%Y%m%d")
        ));
        std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        let path = dir.join(format!(
            "{export}_{}.csv",
            uuid(key(seed, &[0xa2e, month as u64, kind.len() as u64]))
        ));
        let f = File::create(&path).map_err(io_err(&path))?;
        let mut w = BufWriter::with_capacity(1 << 20, f);
        w.write_all("\u{feff}".as_bytes()).map_err(io_err(&path))?;
        w.write_all(HEADER.join(",").as_bytes())
            .map_err(io_err(&path))?;
        w.write_all(b"\n").map_err(io_err(&path))?;
        Ok(Out {
            w,
            path,
            rows: 0,
            cost: Sum::default(),
            by_type: BTreeMap::new(),
        })
    }

    /// Writes one record (fields already CSV-safe or quoted by `field`).
    fn row(&mut self, fields: &[&str], cost: i64, charge_type: &str) -> Result<(), DemoError> {
        let mut line = String::with_capacity(900);
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            field(&mut line, f);
        }
        line.push('\n');
        self.w
            .write_all(line.as_bytes())
            .map_err(io_err(&self.path))?;
        self.rows += 1;
        self.cost.add(cost);
        *self.by_type.entry(charge_type.to_string()).or_default() += 1;
        Ok(())
    }
}

/// RFC 4180 quoting where needed.
fn field(out: &mut String, f: &str) {
    if f.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&f.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(f);
    }
}

/// A reservation's monthly use.
#[derive(Default)]
struct RiUse {
    amortized: i64,
}

struct Reservation {
    id: String,
    order: String,
    name: String,
    order_name: String,
    benefit_id: String,
}

fn reservation(seed: u64, cal: &Calendar, meter: usize, region: usize) -> Reservation {
    let id = uuid(key(seed, &[0x2e5, meter as u64, region as u64]));
    let order = uuid(key(seed, &[0x02d, meter as u64, region as u64]));
    let m = &METERS[meter];
    let bought = cal.months[RI_START_MONTH].start;
    Reservation {
        name: format!("VM_RI_{}_{}", bought.format("%m-%d-%Y"), m.vm_size),
        order_name: format!(
            "Reserved VM Instance, {}, {}, 1 Year",
            m.vm_size, REGIONS[region].display
        ),
        benefit_id: format!(
            "/providers/Microsoft.Capacity/reservationOrders/{order}/reservations/{id}"
        ),
        id,
        order,
    }
}

/// Generates the enrollment's 13 months of actual and amortized exports.
pub(crate) fn generate(
    seed: u64,
    cal: &Calendar,
    rows: u64,
    out_dir: &Path,
    progress: &mut Progress,
) -> Result<StreamOutput, DemoError> {
    let root = out_dir.join("azure-ea");
    let enrollment = format!("{}", 8_000_000 + below(key(seed, &[0xea]), 1_999_999));
    let subs: Vec<String> = (0..SUBSCRIPTIONS.len())
        .map(|i| uuid(key(seed, &[0x5b5, i as u64])))
        .collect();
    let mut slots = Slots::new(|i| slot(seed, &subs, i));
    let texts: Vec<Vec<(String, String, String, i64)>> = METERS
        .iter()
        .enumerate()
        .map(|(mi, m)| {
            REGIONS
                .iter()
                .enumerate()
                .map(|(ri, r)| {
                    let product = if m.sub_category.is_empty() {
                        format!("{} - {} - {}", m.category, m.name, r.display)
                    } else {
                        format!(
                            "{} {} - {} - {}",
                            m.category, m.sub_category, m.name, r.display
                        )
                    };
                    let part = format!("AAA-{:05}", below(key(seed, &[mi as u64, 0x9a27]), 99_999));
                    let meter_id = uuid(key(seed, &[mi as u64, ri as u64, 0x3e7]));
                    (
                        product,
                        part,
                        meter_id,
                        money::scale(money::rate(m.price), r.price_pct, 100),
                    )
                })
                .collect()
        })
        .collect();
    let per_file = rows / 2;
    let targets = cal.cumulative_targets(per_file);
    // Two spikes on traffic-driven meters of resources that exist from the first day.
    let limit = fleet::always_active(&targets, 1);
    let mut spikes = fleet::place_spikes(fleet::spike_windows(seed, 3, cal, 2), limit, |i| {
        let s = slots.get(i);
        let m = &METERS[s.meter];
        let (lo, hi) = m.per_day;
        m.elastic.then_some((
            s.sub,
            m.category,
            (lo * hi).sqrt() * m.price * (0.5 + unit(key(s.h, &[9]))),
        ))
    });
    let mut files = Vec::new();
    let mut written = 0u64;
    let mut reserve = 0u64;
    let mut total_rows = 0u64;
    let mut open: Option<(Out, Out)> = None;
    let mut ri_use: BTreeMap<(usize, usize), RiUse> = BTreeMap::new();
    let account_name = "Contoso Ltd";
    let owner = "cloud-ops@contoso.com";
    for (d, (day, &target)) in cal.days.iter().zip(&targets).enumerate() {
        let mi = day.month;
        let m = &cal.months[mi];
        let last_of_month = m.end.pred_opt().unwrap_or(m.end);
        if d == m.first_day {
            open = Some((
                Out::create(
                    &root,
                    "actual",
                    "contoso-actual-cost",
                    seed,
                    mi,
                    m.start,
                    m.end,
                )?,
                Out::create(
                    &root,
                    "amortized",
                    "contoso-amortized-cost",
                    seed,
                    mi,
                    m.start,
                    m.end,
                )?,
            ));
            ri_use.clear();
        }
        let Some((actual, amortized)) = open.as_mut() else {
            continue;
        };
        let (bp_start, bp_end, date) = (mdy(m.start), mdy(last_of_month), mdy(day.date));
        let quota = target.saturating_sub(if mi + 1 == MONTHS { reserve } else { 0 });
        let mut i = 0;
        while written < quota {
            let s = slots.get(i);
            i += 1;
            let meter = &METERS[s.meter];
            let (product, part, meter_id, rate) = &texts[s.meter][s.region];
            let (sub_name, _, dept, cc, _) = SUBSCRIPTIONS[s.sub];
            let mut amount_f = s.base_amount(seed, cal, d);
            if meter.unit == "1 Hour" && meter.per_day.1 <= 24.0 {
                amount_f = amount_f.min(24.0);
            }
            let baseline = money::amount(amount_f);
            let spike = spikes.factor(s.sub, meter.category, d);
            let qty = spike.map_or(baseline, |(_, f)| money::amount(amount_f * f));
            let payg = money::cost(qty, *rate);
            if let Some((si, _)) = spike {
                spikes.record(si, payg, money::cost(baseline, *rate));
            }
            let covered = s.reserved && mi >= RI_START_MONTH;
            let r = covered.then(|| reservation(seed, cal, s.meter, s.region));
            let amortized_cost = if covered {
                money::scale(payg, 60, 100)
            } else {
                payg
            };
            if covered {
                ri_use.entry((s.meter, s.region)).or_default().amortized += amortized_cost;
            }
            let mut rate_s = String::new();
            money::push(&mut rate_s, *rate, money::RATE_SCALE);
            let qty_s = num(qty);
            let info = if meter.category == "Virtual Machines" {
                format!(
                    "{{\"UsageType\":\"ComputeHR\",\"ImageType\":\"Canonical\",\"ServiceType\":\"{}\",\"VMName\":\"{}\",\"VCPUs\":{}}}",
                    if meter.vm_size.is_empty() {
                        format!("Standard_{}", meter.name.replace(' ', "_"))
                    } else {
                        meter.vm_size.to_string()
                    },
                    s.name,
                    meter.vcpus
                )
            } else {
                String::new()
            };
            let region = &REGIONS[s.region];
            let (res_id, res_name, order_id, order_name, benefit_id, benefit_name) = match &r {
                Some(r) => (
                    r.id.as_str(),
                    r.name.as_str(),
                    r.order.as_str(),
                    r.order_name.as_str(),
                    r.benefit_id.as_str(),
                    r.name.as_str(),
                ),
                None => ("", "", "", "", "", ""),
            };
            let consumed = meter.provider;
            let pricing = if covered { "Reservation" } else { "OnDemand" };
            let term = if covered { "12" } else { "" };
            for (out, cost_v, eff) in [
                (
                    &mut *actual,
                    if covered { 0 } else { payg },
                    if covered { 0 } else { *rate },
                ),
                (
                    &mut *amortized,
                    amortized_cost,
                    if covered {
                        money::scale(*rate, 60, 100)
                    } else {
                        *rate
                    },
                ),
            ] {
                let cost_s = num(cost_v);
                let mut eff_s = String::new();
                money::push(&mut eff_s, eff, money::RATE_SCALE);
                out.row(
                    &[
                        &enrollment,
                        account_name,
                        &bp_start,
                        &bp_end,
                        &enrollment,
                        account_name,
                        owner,
                        "Contoso Cloud Ops",
                        &subs[s.sub],
                        sub_name,
                        &date,
                        product,
                        part,
                        meter_id,
                        meter.family,
                        meter.category,
                        meter.sub_category,
                        region.meter_region,
                        meter.name,
                        &qty_s,
                        &eff_s,
                        &cost_s,
                        &rate_s,
                        "USD",
                        region.location,
                        "",
                        consumed,
                        &s.resource_id,
                        &s.name,
                        "",
                        if meter.category == "Virtual Machines" {
                            "Canonical"
                        } else {
                            ""
                        },
                        &info,
                        &s.tags,
                        "",
                        dept,
                        cc,
                        meter.unit,
                        &s.rg,
                        res_id,
                        res_name,
                        order_id,
                        order_name,
                        "MS-AZR-0017P",
                        "True",
                        term,
                        "Microsoft",
                        "",
                        "Usage",
                        "UsageBased",
                        "Azure",
                        &rate_s,
                        pricing,
                        "",
                        benefit_id,
                        benefit_name,
                    ],
                    cost_v,
                    "Usage",
                )?;
            }
            written += 1;
            total_rows += 2;
            progress.tick(total_rows);
        }
        if d + 1 == m.first_day + m.n_days {
            // Reservations: monthly purchase (actual) and unused share (amortized), 7% unused.
            let before = written;
            for (&(meter_i, region_i), u) in &ri_use {
                let r = reservation(seed, cal, meter_i, region_i);
                let meter = &METERS[meter_i];
                let region = &REGIONS[region_i];
                let unused = money::scale(u.amortized, 7, 93);
                let fee = u.amortized + unused;
                let (product, part, meter_id, _) = &texts[meter_i][region_i];
                let ri_path = format!(
                    "/providers/Microsoft.Capacity/reservationOrders/{}/reservations/",
                    r.order
                );
                let fee_s = num(fee);
                actual.row(
                    &[
                        &enrollment,
                        account_name,
                        &bp_start,
                        &bp_end,
                        &enrollment,
                        account_name,
                        owner,
                        "Contoso Cloud Ops",
                        &subs[0],
                        SUBSCRIPTIONS[0].0,
                        &mdy(m.start),
                        product,
                        part,
                        meter_id,
                        meter.family,
                        meter.category,
                        meter.sub_category,
                        region.meter_region,
                        meter.name,
                        "1",
                        &fee_s,
                        &fee_s,
                        &fee_s,
                        "USD",
                        region.location,
                        "",
                        "Microsoft.Capacity",
                        &ri_path,
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        SUBSCRIPTIONS[0].2,
                        SUBSCRIPTIONS[0].3,
                        "1 Hour",
                        "",
                        &r.id,
                        &r.name,
                        &r.order,
                        &r.order_name,
                        "",
                        "True",
                        "12",
                        "",
                        "",
                        "Purchase",
                        "Recurring",
                        "Azure",
                        "0",
                        "Reservation",
                        "",
                        &ri_path,
                        &r.name,
                    ],
                    fee,
                    "Purchase",
                )?;
                let unused_s = num(unused);
                amortized.row(
                    &[
                        &enrollment,
                        account_name,
                        &bp_start,
                        &bp_end,
                        &enrollment,
                        account_name,
                        owner,
                        "Contoso Cloud Ops",
                        &subs[0],
                        SUBSCRIPTIONS[0].0,
                        &mdy(last_of_month),
                        product,
                        part,
                        meter_id,
                        meter.family,
                        meter.category,
                        meter.sub_category,
                        region.meter_region,
                        meter.name,
                        "1",
                        &unused_s,
                        &unused_s,
                        &unused_s,
                        "USD",
                        region.location,
                        "",
                        "Microsoft.Capacity",
                        &r.benefit_id,
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        SUBSCRIPTIONS[0].2,
                        SUBSCRIPTIONS[0].3,
                        "1 Hour",
                        "",
                        &r.id,
                        &r.name,
                        &r.order,
                        &r.order_name,
                        "MS-AZR-0017P",
                        "True",
                        "12",
                        "",
                        "",
                        "UnusedReservation",
                        "UsageBased",
                        "Azure",
                        "0",
                        "Reservation",
                        "",
                        &r.benefit_id,
                        &r.name,
                    ],
                    unused,
                    "UnusedReservation",
                )?;
                written += 1;
                total_rows += 2;
            }
            reserve = written - before;
            if let Some((a, b)) = open.take() {
                for (out, format) in [(a, "azure-ea-actual-csv"), (b, "azure-ea-amortized-csv")] {
                    let Out {
                        mut w,
                        path,
                        rows,
                        cost,
                        by_type,
                    } = out;
                    w.flush().map_err(io_err(&path))?;
                    let mut sums = BTreeMap::new();
                    sums.insert("Cost".to_string(), cost.decimal());
                    files.push(GeneratedFile {
                        path,
                        format,
                        rows,
                        cost_account_name: "contoso-azure".to_string(),
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
    }
    let anomalies = spikes
        .0
        .iter()
        .map(|s| InjectedAnomaly {
            provider: "Azure",
            cost_account_name: "contoso-azure".to_string(),
            sub_account_id: subs[s.account].clone(),
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
            name: "contoso-azure".to_string(),
            provider: "Azure",
            billing_account_id: enrollment,
            root,
            sub_accounts: subs
                .iter()
                .zip(SUBSCRIPTIONS)
                .map(|(id, s)| (id.clone(), s.0.to_string()))
                .collect(),
        },
        anomalies,
    })
}

fn num(v: i64) -> String {
    let mut s = String::new();
    money::push(&mut s, v, money::SCALE);
    s
}

impl Slot {
    /// The resource's usage on day `d` before any spike.
    fn base_amount(&self, seed: u64, cal: &Calendar, d: usize) -> f64 {
        let m = &METERS[self.meter];
        let (lo, hi) = m.per_day;
        let base = if hi > lo {
            lo * (hi / lo).powf(unit(key(self.h, &[9])))
        } else {
            lo
        };
        if hi > lo {
            let mut a = base * fleet::daily_factor(seed, self.h, cal, d, m.elastic);
            if m.unit == "1 GB/Month" {
                a *= 1.02f64.powi(cal.days[d].month as i32);
            }
            a
        } else {
            base
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_broad() {
        let cats: std::collections::BTreeSet<_> = METERS.iter().map(|m| m.category).collect();
        assert!(cats.len() >= 20, "{}", cats.len());
        assert_eq!(HEADER.len(), 55);
    }

    #[test]
    fn quoting_follows_rfc4180() {
        let mut s = String::new();
        field(&mut s, "\"env\": \"prod\",\"team\": \"web\"");
        assert_eq!(s, "\"\"\"env\"\": \"\"prod\"\",\"\"team\"\": \"\"web\"\"\"");
    }
}
