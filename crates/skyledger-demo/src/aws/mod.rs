//! AWS Cost and Usage Report line items for one organisation, written by either the CUR 2.0
//! (Parquet) or the legacy CUR (csv.gz) writer: usage, reserved instances (DiscountedUsage,
//! RIFee, upfront Fee), a compute savings plan (covered usage, negation, recurring fee),
//! support fee, credits, a refund and tax.

mod catalog;
mod columns;
mod cur2;
mod legacy;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use catalog::{Commit, Org, REGIONS, Res, SKUS, Sku};

use crate::calendar::{Calendar, DAY_MS};
use crate::fleet::{self, APPS, Slots, Spike, Spikes, Tags};
use crate::money::{self, ONE, Sum};
use crate::rng::{SplitMix64, below, key, unit, weighted};
use crate::{
    DemoCostAccount, DemoError, FileTotals, GeneratedFile, InjectedAnomaly, Progress, StreamOutput,
};

/// Shared text of a line (cloned per row without copying).
pub(crate) type Text = std::sync::Arc<str>;

/// Which export format (and which demo organisation) to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavour {
    Cur2,
    Legacy,
}

/// First month (index) covered by the reserved instances bought then.
const RI_START_MONTH: usize = 1;
/// First month of the compute savings plan.
const SP_START_MONTH: usize = 3;
/// Month with promotional credits up to and including.
const CREDIT_LAST_MONTH: usize = 3;
/// Month with a refund.
const REFUND_MONTH: usize = 8;

/// One linked account.
pub(crate) struct Account {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) env: &'static str,
}

/// A commitment covering a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cover {
    None,
    Ri,
    Sp,
}

/// One resource of the organisation.
struct Slot {
    h: u64,
    sku: usize,
    account: usize,
    region: usize,
    /// Availability zone (`us-east-1b`), empty for regional usage.
    az: Text,
    tags: Tags,
    base: f64,
    resource_id: Text,
    cover: Cover,
}

/// Reserved-instance columns of a line.
#[derive(Debug, Default, Clone)]
pub(crate) struct RiCols {
    pub(crate) arn: String,
    pub(crate) amortized_upfront_for_usage: Option<i64>,
    pub(crate) recurring_for_usage: Option<i64>,
    pub(crate) effective_cost: Option<i64>,
    pub(crate) amortized_upfront_fee_for_period: Option<i64>,
    pub(crate) unused_amortized_upfront: Option<i64>,
    pub(crate) unused_recurring_fee: Option<i64>,
    pub(crate) unused_quantity: Option<i64>,
    pub(crate) upfront_value: Option<i64>,
    pub(crate) number_of_reservations: Option<i64>,
    pub(crate) total_reserved_units: Option<i64>,
    pub(crate) start_time: String,
    pub(crate) end_time: String,
    pub(crate) subscription_id: String,
}

/// Savings-plan columns of a line.
#[derive(Debug, Default, Clone)]
pub(crate) struct SpCols {
    pub(crate) arn: String,
    pub(crate) effective_cost: Option<i64>,
    pub(crate) rate: Option<i64>,
    pub(crate) total_commitment: Option<i64>,
    pub(crate) used_commitment: Option<i64>,
    pub(crate) recurring_commitment_for_period: Option<i64>,
    pub(crate) amortized_upfront_for_period: Option<i64>,
    pub(crate) start_time: String,
    pub(crate) end_time: String,
}

/// One CUR line item, in provider terms; both writers render it.
#[derive(Debug, Default, Clone)]
pub(crate) struct Line {
    pub(crate) id: String,
    pub(crate) interval: Text,
    pub(crate) bill_type: &'static str,
    pub(crate) account: usize,
    pub(crate) line_type: &'static str,
    pub(crate) start_ms: i64,
    pub(crate) end_ms: i64,
    pub(crate) product_code: &'static str,
    pub(crate) product_name: &'static str,
    pub(crate) family: &'static str,
    pub(crate) usage_type: Text,
    pub(crate) operation: &'static str,
    pub(crate) az: Text,
    pub(crate) resource_id: Text,
    pub(crate) usage_amount: Option<i64>,
    pub(crate) unblended_rate: Option<i64>,
    pub(crate) unblended_cost: i64,
    pub(crate) blended_rate: Option<i64>,
    pub(crate) blended_cost: i64,
    pub(crate) description: Text,
    pub(crate) tax_type: &'static str,
    pub(crate) region: Option<usize>,
    pub(crate) instance_type: &'static str,
    pub(crate) product_sku: Text,
    pub(crate) unit: &'static str,
    pub(crate) term: &'static str,
    pub(crate) od_rate: Option<i64>,
    pub(crate) od_cost: Option<i64>,
    pub(crate) ri: Option<RiCols>,
    pub(crate) sp: Option<SpCols>,
    pub(crate) tags: Tags,
}

impl Line {
    /// FOCUS EffectiveCost by the focus_converters AWS rule (see [`FileTotals::sums`]).
    fn effective_cost(&self) -> i64 {
        match self.line_type {
            "SavingsPlanCoveredUsage" => {
                self.sp.as_ref().and_then(|s| s.effective_cost).unwrap_or(0)
            }
            "SavingsPlanRecurringFee" => self
                .sp
                .as_ref()
                .map(|s| s.total_commitment.unwrap_or(0) - s.used_commitment.unwrap_or(0))
                .unwrap_or(0),
            "SavingsPlanNegation" | "SavingsPlanUpfrontFee" => 0,
            "DiscountedUsage" => self.ri.as_ref().and_then(|r| r.effective_cost).unwrap_or(0),
            "RIFee" => self
                .ri
                .as_ref()
                .map(|r| {
                    r.unused_amortized_upfront.unwrap_or(0) + r.unused_recurring_fee.unwrap_or(0)
                })
                .unwrap_or(0),
            "Fee" if self.ri.as_ref().is_some_and(|r| !r.arn.is_empty()) => 0,
            _ => self.unblended_cost,
        }
    }
}

/// Running sums of one month file.
#[derive(Default)]
struct MonthTotals {
    rows: u64,
    unblended: Sum,
    blended: Sum,
    od: Sum,
    ri_effective: Sum,
    sp_effective: Sum,
    effective: Sum,
    by_type: BTreeMap<&'static str, u64>,
}

impl MonthTotals {
    fn add(&mut self, l: &Line) {
        self.rows += 1;
        self.unblended.add(l.unblended_cost);
        self.blended.add(l.blended_cost);
        self.od.add(l.od_cost.unwrap_or(0));
        self.ri_effective
            .add(l.ri.as_ref().and_then(|r| r.effective_cost).unwrap_or(0));
        self.sp_effective
            .add(l.sp.as_ref().and_then(|s| s.effective_cost).unwrap_or(0));
        self.effective.add(l.effective_cost());
        *self.by_type.entry(l.line_type).or_default() += 1;
    }

    /// Totals keyed by the writer's column names: unblended, blended, public on-demand,
    /// RI effective, SP effective.
    fn into_file_totals(self, names: [&str; 5]) -> FileTotals {
        let mut sums = BTreeMap::new();
        for (name, s) in names.iter().zip([
            self.unblended,
            self.blended,
            self.od,
            self.ri_effective,
            self.sp_effective,
        ]) {
            sums.insert((*name).to_string(), s.decimal());
        }
        sums.insert("EffectiveCost".to_string(), self.effective.decimal());
        FileTotals {
            sums,
            rows_by_type: self
                .by_type
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        }
    }
}

/// A writer of one CUR flavour.
pub(crate) trait Sink {
    fn begin_month(&mut self, month: usize) -> Result<(), DemoError>;
    fn write(&mut self, line: &Line) -> Result<(), DemoError>;
    /// Closes the month's file(s) and describes them.
    fn end_month(
        &mut self,
        month: usize,
        rows: u64,
        totals: MonthTotalsView,
    ) -> Result<GeneratedFile, DemoError>;
}

/// Month totals handed to a sink, which names them.
pub(crate) struct MonthTotalsView(MonthTotals);

impl MonthTotalsView {
    pub(crate) fn named(self, names: [&str; 5]) -> FileTotals {
        self.0.into_file_totals(names)
    }
}

/// Static context shared by the writers.
pub(crate) struct Ctx<'a> {
    pub(crate) seed: u64,
    pub(crate) org: &'static Org,
    pub(crate) cal: &'a Calendar,
    pub(crate) accounts: Vec<Account>,
    pub(crate) cost_account: String,
}

impl Ctx<'_> {
    pub(crate) fn payer(&self) -> &Account {
        &self.accounts[0]
    }

    /// `bill/InvoiceId` of a month (blank in the current month until invoiced; all months here
    /// are closed).
    pub(crate) fn invoice_id(&self, month: usize) -> String {
        format!(
            "{}",
            2_000_000_000
                + below(
                    key(self.seed, &[self.org.name.len() as u64, month as u64, 0x1d]),
                    900_000_000
                )
        )
    }
}

fn account_id(seed: u64, org: &str, i: usize) -> String {
    let h = key(
        seed,
        &[org.len() as u64, org.as_bytes()[0] as u64, i as u64, 0xacc],
    );
    format!("{}", 100_000_000_000u64 + below(h, 899_999_999_999) as u64)
}

fn hex(h: u64, n: usize) -> String {
    let s = format!("{h:016x}");
    s[..n.min(16)].to_string()
}

fn upper_alnum(h: u64, n: usize) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut r = SplitMix64::new(h);
    (0..n).map(|_| A[r.below(A.len())] as char).collect()
}

pub(crate) fn uuid(h: u64) -> String {
    let a = crate::rng::mix64(h);
    let b = crate::rng::mix64(a);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

/// A 52-character base32 line-item id, as CUR prints `identity/LineItemId`.
fn line_item_id(h: u64) -> String {
    const A: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut s = String::with_capacity(52);
    let mut x = 0;
    for i in 0..52u64 {
        if i % 12 == 0 {
            x = crate::rng::mix64(h.wrapping_add(i.wrapping_mul(0x9e37_79b9_7f4a_7c15)));
        }
        s.push(A[(x & 31) as usize] as char);
        x >>= 5;
    }
    s
}

fn resource_id(slot_h: u64, sku: &Sku, region: &str, account: &Account, app: &str) -> String {
    let acct = &account.id;
    let env = account.env;
    let n = 1 + below(slot_h.rotate_left(7), 40);
    match sku.res {
        Res::None => String::new(),
        Res::Instance => format!("i-0{}", hex(slot_h, 16)),
        Res::ElasticIp => format!("eipalloc-0{}", hex(slot_h, 16)),
        Res::Volume => format!("vol-0{}", hex(slot_h, 16)),
        Res::Snapshot => format!("arn:aws:ec2:{region}::snapshot/snap-0{}", hex(slot_h, 16)),
        Res::Nat => format!(
            "arn:aws:ec2:{region}:{acct}:natgateway/nat-0{}",
            hex(slot_h, 16)
        ),
        Res::Alb => format!(
            "arn:aws:elasticloadbalancing:{region}:{acct}:loadbalancer/app/{app}-{env}-alb/{}",
            hex(slot_h, 16)
        ),
        Res::Rds => format!("arn:aws:rds:{region}:{acct}:db:{app}-{env}-db-{n:02}"),
        Res::Bucket => format!(
            "{app}-{env}-{}-{}",
            ["assets", "logs", "backups", "exports", "uploads"][below(slot_h, 5)],
            hex(slot_h.rotate_left(9), 6)
        ),
        Res::Function => format!(
            "arn:aws:lambda:{region}:{acct}:function:{app}-{}",
            ["handler", "worker", "ingest", "resize", "notify", "sync"][below(slot_h, 6)]
        ),
        Res::Table => format!(
            "arn:aws:dynamodb:{region}:{acct}:table/{app}-{}",
            ["sessions", "events", "state", "orders", "cache"][below(slot_h, 5)]
        ),
        Res::Distribution => format!(
            "arn:aws:cloudfront::{acct}:distribution/E{}",
            upper_alnum(slot_h, 13)
        ),
        Res::Eks => format!("arn:aws:eks:{region}:{acct}:cluster/{env}-{app}-eks"),
        Res::Fargate => format!(
            "arn:aws:ecs:{region}:{acct}:task/{env}-{app}/{}{}",
            hex(slot_h, 16),
            hex(slot_h.rotate_left(32), 16)
        ),
        Res::Cache => {
            format!("arn:aws:elasticache:{region}:{acct}:cluster:{app}-{env}-redis-{n:03}")
        }
        Res::LogGroup => format!(
            "arn:aws:logs:{region}:{acct}:log-group:/aws/{}/{app}",
            ["lambda", "ecs", "eks", "apigateway"][below(slot_h, 4)]
        ),
        Res::Vpce => format!(
            "arn:aws:ec2:{region}:{acct}:vpc-endpoint/vpce-0{}",
            hex(slot_h, 16)
        ),
        Res::Redshift => format!("arn:aws:redshift:{region}:{acct}:cluster:{app}-warehouse"),
        Res::Domain => format!("arn:aws:es:{region}:{acct}:domain/{app}-{env}-search"),
        Res::Topic => format!("arn:aws:sns:{region}:{acct}:{app}-{env}-events"),
        Res::Queue => format!("arn:aws:sqs:{region}:{acct}:{app}-{env}-jobs"),
        Res::Stream => format!("arn:aws:kinesis:{region}:{acct}:stream/{app}-{env}-stream"),
        Res::Repository => format!("arn:aws:ecr:{region}:{acct}:repository/{app}"),
        Res::Secret => format!(
            "arn:aws:secretsmanager:{region}:{acct}:secret:{env}/{app}/db-{}",
            upper_alnum(slot_h, 6)
        ),
        Res::HostedZone => format!("arn:aws:route53:::hostedzone/Z{}", upper_alnum(slot_h, 13)),
        Res::Key => format!("arn:aws:kms:{region}:{acct}:key/{}", uuid(slot_h)),
        Res::Endpoint => format!("arn:aws:sagemaker:{region}:{acct}:endpoint/{app}-model-{n}"),
        Res::GlueJob => format!("arn:aws:glue:{region}:{acct}:job/{app}-etl"),
        Res::FileSystem => format!(
            "arn:aws:elasticfilesystem:{region}:{acct}:file-system/fs-0{}",
            hex(slot_h, 16)
        ),
    }
}

fn make_slot(seed: u64, stream: u64, accounts: &[Account], account_w: &[u32], i: u64) -> Slot {
    let h = key(seed, &[stream, i, 0x5107]);
    let sku_w: Vec<u32> = SKUS.iter().map(|s| s.weight).collect();
    let region_w: Vec<u32> = REGIONS.iter().map(|r| r.weight).collect();
    let sku_i = weighted(key(h, &[1]), &sku_w);
    let sku = &SKUS[sku_i];
    let account = weighted(key(h, &[2]), account_w);
    let region = if sku.regional {
        weighted(key(h, &[3]), &region_w)
    } else {
        0
    };
    let app = below(key(h, &[4]), APPS.len());
    let (lo, hi) = sku.per_day;
    // Log-uniform sizes: many small resources, a few large ones.
    let base = if hi > lo {
        lo * (hi / lo).powf(unit(key(h, &[5])))
    } else {
        lo
    };
    let cover = match sku.commit {
        Commit::RiOrSp => {
            let u = unit(key(h, &[6]));
            if u < 0.35 {
                Cover::Ri
            } else if u < 0.60 {
                Cover::Sp
            } else {
                Cover::None
            }
        }
        Commit::Sp if unit(key(h, &[6])) < 0.4 => Cover::Sp,
        _ => Cover::None,
    };
    let acct = &accounts[account];
    Slot {
        h,
        sku: sku_i,
        account,
        region,
        az: if sku.zonal {
            format!(
                "{}{}",
                REGIONS[region].code,
                (b'a' + below(key(h, &[7]), 3) as u8) as char
            )
            .into()
        } else {
            Text::default()
        },
        tags: Tags::for_resource(key(h, &[8]), app, acct.env),
        base,
        resource_id: resource_id(h, sku, REGIONS[region].code, acct, APPS[app].0).into(),
        cover,
    }
}

/// Per-SKU-and-region strings computed once.
struct SkuText {
    usage_type: Text,
    description: Text,
    rate: i64,
    product_sku: Text,
}

fn sku_texts(seed: u64) -> Vec<Vec<SkuText>> {
    SKUS.iter()
        .enumerate()
        .map(|(si, sku)| {
            REGIONS
                .iter()
                .enumerate()
                .map(|(ri, r)| {
                    let rate = money::scale(money::rate(sku.price), r.price_pct, 100);
                    let mut price = String::new();
                    money::push(&mut price, rate, money::RATE_SCALE);
                    let description = if sku.res == Res::Instance {
                        format!(
                            "${price} per On Demand Linux {} Instance Hour",
                            sku.instance_type
                        )
                    } else if sku.regional {
                        format!(
                            "${price} per {} for {} in {}",
                            sku.unit, sku.usage_type, r.location
                        )
                    } else {
                        format!("${price} per {} for {}", sku.unit, sku.usage_type)
                    };
                    SkuText {
                        usage_type: if sku.regional {
                            format!("{}{}", r.prefix, sku.usage_type).into()
                        } else {
                            sku.usage_type.into()
                        },
                        description: description.into(),
                        rate,
                        product_sku: upper_alnum(key(seed, &[si as u64, ri as u64, 0x5c0]), 16)
                            .into(),
                    }
                })
                .collect()
        })
        .collect()
}

fn ts_string(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// Reserved-instance usage accumulated in a month, per (SKU, region).
#[derive(Default)]
struct RiMonth {
    upfront: i64,
    recurring: i64,
    hours: i64,
}

fn ri_arn(ctx: &Ctx, sku: usize, region: usize) -> String {
    format!(
        "arn:aws:ec2:{}:{}:reserved-instances/{}",
        REGIONS[region].code,
        ctx.payer().id,
        uuid(key(
            ctx.seed,
            &[ctx.org.name.len() as u64, sku as u64, region as u64, 0x121]
        ))
    )
}

/// Generates one organisation's 13 months into the flavour's writer.
pub(crate) fn generate(
    seed: u64,
    flavour: Flavour,
    cal: &Calendar,
    rows: u64,
    out_dir: &Path,
    progress: &mut Progress,
) -> Result<StreamOutput, DemoError> {
    let (org, stream, cost_account) = match flavour {
        Flavour::Cur2 => (&catalog::ACME, 1u64, "acme-aws"),
        Flavour::Legacy => (&catalog::GLOBEX, 2u64, "globex-aws"),
    };
    let accounts: Vec<Account> = org
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| Account {
            id: account_id(seed, org.name, i),
            name: format!("{}-{}", org.name, a.suffix),
            env: a.env,
        })
        .collect();
    let ctx = Ctx {
        seed,
        org,
        cal,
        accounts,
        cost_account: cost_account.to_string(),
    };
    let (mut sink, root): (Box<dyn Sink>, _) = match flavour {
        Flavour::Cur2 => {
            let s = cur2::Writer::new(&ctx, out_dir);
            let root = s.root.clone();
            (Box::new(s), root)
        }
        Flavour::Legacy => {
            let s = legacy::Writer::new(&ctx, out_dir);
            let root = s.root.clone();
            (Box::new(s), root)
        }
    };
    let mut g = Gen::new(&ctx, stream, rows);
    let files = g.run(sink.as_mut(), rows, progress)?;
    let anomalies = g
        .spikes
        .0
        .iter()
        .map(|s: &Spike| InjectedAnomaly {
            provider: "AWS",
            cost_account_name: ctx.cost_account.clone(),
            sub_account_id: ctx.accounts[s.account].id.clone(),
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
            name: ctx.cost_account.clone(),
            provider: "AWS",
            billing_account_id: ctx.payer().id.clone(),
            root,
            sub_accounts: ctx
                .accounts
                .iter()
                .map(|a| (a.id.clone(), a.name.clone()))
                .collect(),
        },
        anomalies,
    })
}

type MakeSlot<'a> = Box<dyn Fn(u64) -> Slot + 'a>;

struct Gen<'a> {
    ctx: &'a Ctx<'a>,
    stream: u64,
    slots: Slots<Slot, MakeSlot<'a>>,
    texts: Vec<Vec<SkuText>>,
    spikes: Spikes,
    rows: u64,
    month: MonthTotals,
    /// Unblended charges per (account, product code) this month, for tax and credits.
    charges: BTreeMap<(usize, &'static str), i64>,
    ri_month: BTreeMap<(usize, usize), RiMonth>,
    ri_bought: BTreeSet<(usize, usize)>,
    /// Savings plan hourly commitment × 24, fixed on its first day.
    sp_daily_commitment: Option<i64>,
    sp_used_today: i64,
    line_seq: u64,
    /// `identity/TimeInterval` of each day.
    intervals: Vec<Text>,
}

impl<'a> Gen<'a> {
    fn new(ctx: &'a Ctx<'a>, stream: u64, rows: u64) -> Self {
        let seed = ctx.seed;
        let account_w: Vec<u32> = ctx.org.accounts.iter().map(|a| a.weight).collect();
        let make: MakeSlot<'a> =
            Box::new(move |i| make_slot(seed, stream, &ctx.accounts, &account_w, i));
        let mut slots = Slots::new(make);
        // Spikes go on traffic-driven usage (a runaway function, a logging storm, a transfer
        // surge) of resources that exist from the first day.
        let windows = fleet::spike_windows(seed, stream, ctx.cal, if stream == 1 { 2 } else { 1 });
        let limit = fleet::always_active(&ctx.cal.cumulative_targets(rows), 2);
        let spikes = fleet::place_spikes(windows, limit, |i| {
            let s = slots.get(i);
            let sku = &SKUS[s.sku];
            (sku.elastic && sku.commit == Commit::None).then_some((
                s.account,
                sku.product_code,
                s.base * sku.price,
            ))
        });
        Gen {
            ctx,
            stream,
            slots,
            texts: sku_texts(seed),
            spikes,
            rows: 0,
            month: MonthTotals::default(),
            charges: BTreeMap::new(),
            ri_month: BTreeMap::new(),
            ri_bought: BTreeSet::new(),
            sp_daily_commitment: None,
            sp_used_today: 0,
            line_seq: 0,
            intervals: ctx
                .cal
                .days
                .iter()
                .map(|d| {
                    format!(
                        "{}/{}",
                        ts_string(d.start_ms),
                        ts_string(d.start_ms + DAY_MS)
                    )
                    .into()
                })
                .collect(),
        }
    }

    fn emit(
        &mut self,
        sink: &mut dyn Sink,
        mut l: Line,
        progress: &mut Progress,
    ) -> Result<(), DemoError> {
        self.line_seq += 1;
        l.id = line_item_id(key(self.ctx.seed, &[self.stream, self.line_seq, 0x11d]));
        if l.interval.is_empty() {
            l.interval = format!("{}/{}", ts_string(l.start_ms), ts_string(l.end_ms)).into();
        }
        if !matches!(l.line_type, "Tax" | "Credit" | "Refund") {
            *self.charges.entry((l.account, l.product_code)).or_default() += l.unblended_cost;
        }
        self.month.add(&l);
        sink.write(&l)?;
        self.rows += 1;
        progress.tick(self.rows);
        Ok(())
    }

    fn run(
        &mut self,
        sink: &mut dyn Sink,
        rows: u64,
        progress: &mut Progress,
    ) -> Result<Vec<GeneratedFile>, DemoError> {
        let cal = self.ctx.cal;
        let targets = cal.cumulative_targets(rows);
        let mut files = Vec::new();
        let mut reserve = 0u64;
        for (d, (day, &target)) in cal.days.iter().zip(&targets).enumerate() {
            let m = &cal.months[day.month];
            if d == m.first_day {
                sink.begin_month(day.month)?;
                self.month = MonthTotals::default();
                self.charges.clear();
                self.ri_month.clear();
            }
            let last_month = day.month + 1 == cal.months.len();
            let quota = target.saturating_sub(if last_month { reserve } else { 0 });
            self.sp_used_today = 0;
            let sp_active = day.month >= SP_START_MONTH;
            let mut i = 0usize;
            while self.rows < quota {
                self.usage(sink, d, i, sp_active, progress)?;
                i += 1;
            }
            if sp_active {
                self.sp_fee(sink, d, progress)?;
            }
            if d + 1 == m.first_day + m.n_days {
                let before = self.rows;
                self.month_end(sink, day.month, progress)?;
                reserve = self.rows - before;
                let totals = std::mem::take(&mut self.month);
                let rows = totals.rows;
                files.push(sink.end_month(day.month, rows, MonthTotalsView(totals))?);
            }
        }
        Ok(files)
    }

    /// The line(s) of slot `i` on day `d`.
    fn usage(
        &mut self,
        sink: &mut dyn Sink,
        d: usize,
        i: usize,
        sp_active: bool,
        progress: &mut Progress,
    ) -> Result<(), DemoError> {
        let ctx = self.ctx;
        let cal = ctx.cal;
        let day = &cal.days[d];
        let s = self.slots.get(i);
        let sku = &SKUS[s.sku];
        let text = &self.texts[s.sku][s.region];
        let mut amount_f = s.base;
        if sku.per_day.0 != sku.per_day.1 {
            amount_f *= fleet::daily_factor(ctx.seed, s.h, cal, d, sku.elastic);
            if sku.unit == "GB-Mo" {
                // Stored data grows about 2% a month.
                amount_f *= 1.02f64.powi(day.month as i32);
            }
        }
        if sku.unit == "Hrs" || sku.unit == "NodeHour" || sku.unit == "Hours" {
            amount_f = amount_f.min(24.0 * (sku.per_day.1 / 24.0).ceil());
        }
        let baseline = money::amount(amount_f);
        let spike = self.spikes.factor(s.account, sku.product_code, d);
        let amount = match spike {
            Some((_, f)) => money::amount(amount_f * f),
            None => baseline,
        };
        let rate = text.rate;
        let od = money::cost(amount, rate);
        let mut l = Line {
            bill_type: "Anniversary",
            account: s.account,
            line_type: "Usage",
            start_ms: day.start_ms,
            end_ms: day.start_ms + DAY_MS,
            product_code: sku.product_code,
            product_name: sku.product_name,
            family: sku.family,
            usage_type: text.usage_type.clone(),
            operation: sku.operation,
            az: s.az.clone(),
            resource_id: s.resource_id.clone(),
            interval: self.intervals[d].clone(),
            usage_amount: Some(amount),
            unblended_rate: Some(rate),
            unblended_cost: od,
            blended_rate: Some(rate),
            blended_cost: od,
            description: text.description.clone(),
            region: sku.regional.then_some(s.region),
            instance_type: sku.instance_type,
            product_sku: text.product_sku.clone(),
            unit: sku.unit,
            term: "OnDemand",
            od_rate: Some(rate),
            od_cost: Some(od),
            tags: s.tags,
            ..Line::default()
        };
        let (cover, account, sku_i, region) = (s.cover, s.account, s.sku, s.region);
        if let Some((si, _)) = spike {
            self.spikes.record(si, od, money::cost(baseline, rate));
        }
        if cover == Cover::Ri && day.month >= RI_START_MONTH {
            // Partial Upfront, 1 year: effective rate 62% of on-demand, half upfront.
            let effective = money::scale(od, 62, 100);
            let upfront = money::scale(od, 31, 100);
            let recurring = effective - upfront;
            let acc = self.ri_month.entry((sku_i, region)).or_default();
            acc.upfront += upfront;
            acc.recurring += recurring;
            acc.hours += amount;
            l.line_type = "DiscountedUsage";
            l.term = "Reserved";
            l.unblended_rate = Some(0);
            l.unblended_cost = 0;
            l.blended_rate = Some(money::scale(rate, 62, 100));
            l.blended_cost = effective;
            l.description = format!(
                "USD 0.0 hourly fee per Linux/UNIX (Amazon VPC), {} instance",
                sku.instance_type
            )
            .into();
            l.ri = Some(RiCols {
                arn: ri_arn(ctx, sku_i, region),
                amortized_upfront_for_usage: Some(upfront),
                recurring_for_usage: Some(recurring),
                effective_cost: Some(effective),
                ..RiCols::default()
            });
            return self.emit(sink, l, progress);
        }
        if cover == Cover::Sp && sp_active {
            let effective = money::scale(od, 72, 100);
            let commitment = self.sp_daily_commitment;
            if commitment.is_none_or(|c| self.sp_used_today + effective <= c) {
                self.sp_used_today += effective;
                l.line_type = "SavingsPlanCoveredUsage";
                l.term = "OnDemand";
                l.sp = Some(SpCols {
                    arn: sp_arn(ctx),
                    effective_cost: Some(effective),
                    rate: Some(money::scale(rate, 72, 100)),
                    ..SpCols::default()
                });
                l.description = format!("Savings Plan covered usage: {}", text.description).into();
                let mut neg = l.clone();
                neg.description = format!(
                    "SavingsPlanNegation used by AccountId : {} and UsageSku : {}",
                    ctx.accounts[account].id, text.product_sku
                )
                .into();
                self.emit(sink, l, progress)?;
                neg.line_type = "SavingsPlanNegation";
                neg.usage_amount = Some(0);
                neg.unblended_cost = -od;
                neg.blended_cost = -od;
                neg.od_cost = None;
                neg.od_rate = None;
                neg.sp = Some(SpCols {
                    arn: sp_arn(ctx),
                    ..SpCols::default()
                });
                return self.emit(sink, neg, progress);
            }
        }
        self.emit(sink, l, progress)
    }

    /// The compute savings plan's daily recurring fee (No Upfront).
    fn sp_fee(
        &mut self,
        sink: &mut dyn Sink,
        d: usize,
        progress: &mut Progress,
    ) -> Result<(), DemoError> {
        let used = self.sp_used_today;
        // The commitment was sized on its first day at 110% of that day's eligible usage.
        let commitment = *self.sp_daily_commitment.get_or_insert_with(|| {
            let c = money::scale(used, 110, 100);
            // Whole cents per hour.
            let per_hour_cents = (c / 24 + ONE / 100 - 1) / (ONE / 100);
            per_hour_cents.max(1) * (ONE / 100) * 24
        });
        let day = &self.ctx.cal.days[d];
        let l = Line {
            bill_type: "Anniversary",
            account: 0,
            line_type: "SavingsPlanRecurringFee",
            start_ms: day.start_ms,
            end_ms: day.start_ms + DAY_MS,
            product_code: "ComputeSavingsPlans",
            product_name: "Savings Plans for AWS Compute usage",
            usage_type: "ComputeSP:1yrNoUpfront".into(),
            usage_amount: Some(24 * ONE),
            unblended_rate: Some(money::scale(commitment, money::RATE_ONE, 24 * ONE)),
            unblended_cost: commitment,
            blended_rate: Some(money::scale(commitment, money::RATE_ONE, 24 * ONE)),
            blended_cost: commitment,
            description: "1 year No Upfront Compute Savings Plan".into(),
            unit: "Hrs",
            sp: Some(SpCols {
                arn: sp_arn(self.ctx),
                total_commitment: Some(commitment),
                used_commitment: Some(used.min(commitment)),
                recurring_commitment_for_period: Some(commitment),
                amortized_upfront_for_period: Some(0),
                start_time: ts_string(
                    self.ctx.cal.months[SP_START_MONTH]
                        .start
                        .and_hms_opt(0, 0, 0)
                        .map(|t| t.and_utc().timestamp_millis())
                        .unwrap_or(0),
                ),
                end_time: ts_string(
                    self.ctx.cal.months[SP_START_MONTH]
                        .start
                        .and_hms_opt(0, 0, 0)
                        .map(|t| t.and_utc().timestamp_millis() + 365 * DAY_MS)
                        .unwrap_or(0),
                ),
                ..SpCols::default()
            }),
            ..Line::default()
        };
        self.emit(sink, l, progress)
    }

    fn month_end(
        &mut self,
        sink: &mut dyn Sink,
        month: usize,
        progress: &mut Progress,
    ) -> Result<(), DemoError> {
        let ctx = self.ctx;
        let m = &ctx.cal.months[month];
        let start_ms = crate::calendar::midnight_ms(m.start);
        let end_ms = crate::calendar::midnight_ms(m.end);
        let month_line = |line_type: &'static str,
                          account: usize,
                          product_code: &'static str,
                          product_name: &'static str| Line {
            bill_type: "Anniversary",
            account,
            line_type,
            start_ms,
            end_ms,
            product_code,
            product_name,
            ..Line::default()
        };
        // Reserved instances: the month's recurring fee, and the upfront fee when bought.
        let ri = std::mem::take(&mut self.ri_month);
        let hours_in_month = m.n_days as i64 * 24 * ONE;
        let ri_start = ctx.cal.months[RI_START_MONTH.min(month)].start;
        for ((sku_i, region), acc) in &ri {
            let sku = &SKUS[*sku_i];
            let count = ((acc.hours as f64 * 1.08) / hours_in_month as f64)
                .ceil()
                .max(1.0) as i64;
            let reserved_hours = count * hours_in_month;
            let unused_upfront = money::scale(acc.upfront, 8, 100);
            let unused_recurring = money::scale(acc.recurring, 8, 100);
            let arn = ri_arn(ctx, *sku_i, *region);
            let mut l = month_line("RIFee", 0, "AmazonEC2", "Amazon Elastic Compute Cloud");
            l.usage_type = format!(
                "{}HeavyUsage:{}",
                REGIONS[*region].prefix, sku.instance_type
            )
            .into();
            l.operation = "RunInstances";
            l.region = Some(*region);
            l.instance_type = sku.instance_type;
            l.usage_amount = Some(reserved_hours);
            l.unblended_cost = acc.recurring + unused_recurring;
            l.unblended_rate = Some(money::scale(
                l.unblended_cost,
                money::RATE_ONE,
                reserved_hours,
            ));
            l.blended_cost = l.unblended_cost;
            l.blended_rate = l.unblended_rate;
            l.unit = "Hrs";
            l.term = "Reserved";
            l.description = format!(
                "Linux/UNIX (Amazon VPC), {} reserved instance applied",
                sku.instance_type
            )
            .into();
            l.ri = Some(RiCols {
                arn: arn.clone(),
                amortized_upfront_fee_for_period: Some(acc.upfront + unused_upfront),
                unused_amortized_upfront: Some(unused_upfront),
                unused_recurring_fee: Some(unused_recurring),
                unused_quantity: Some(reserved_hours - acc.hours.min(reserved_hours)),
                number_of_reservations: Some(count * ONE),
                total_reserved_units: Some(reserved_hours),
                start_time: ts_string(crate::calendar::midnight_ms(ri_start)),
                end_time: ts_string(crate::calendar::midnight_ms(ri_start) + 365 * DAY_MS),
                subscription_id: format!(
                    "{}",
                    1_000_000_000
                        + below(
                            key(ctx.seed, &[*sku_i as u64, *region as u64, 0x5b]),
                            8_999_999_999
                        )
                ),
                ..RiCols::default()
            });
            self.emit(sink, l, progress)?;
            if self.ri_bought.insert((*sku_i, *region)) {
                let upfront_value = 12 * (acc.upfront + unused_upfront);
                let mut f = month_line("Fee", 0, "AmazonEC2", "Amazon Elastic Compute Cloud");
                f.bill_type = "Purchase";
                f.end_ms = start_ms + 1000;
                f.region = Some(*region);
                f.usage_type = format!(
                    "{}HeavyUsage:{}",
                    REGIONS[*region].prefix, sku.instance_type
                )
                .into();
                f.operation = "RunInstances";
                f.usage_amount = Some(count * ONE);
                f.unblended_cost = upfront_value;
                f.blended_cost = upfront_value;
                f.description = format!(
                    "Sign up charge for subscription: {}, planId: {}",
                    count, sku.instance_type
                )
                .into();
                f.ri = Some(RiCols {
                    arn,
                    upfront_value: Some(upfront_value),
                    number_of_reservations: Some(count * ONE),
                    ..RiCols::default()
                });
                self.emit(sink, f, progress)?;
            }
        }
        // Business support: 10% of the first $10K of charges, 7% above (simplified tiers).
        let charges_total: i64 = self.charges.values().sum();
        let support = if charges_total <= 10_000 * ONE {
            money::scale(charges_total, 10, 100)
        } else {
            1_000 * ONE + money::scale(charges_total - 10_000 * ONE, 7, 100)
        }
        .max(100 * ONE);
        let mut l = month_line("Fee", 0, "AWSSupportBusiness", "AWS Support (Business)");
        l.usage_type = "Dollar".into();
        l.usage_amount = Some(ONE);
        l.unblended_cost = support;
        l.blended_cost = support;
        l.unit = "Dollar";
        l.description = "AWS Support (Business)".into();
        self.emit(sink, l, progress)?;
        // Credits: the top product of each account, for the first months (a migration program).
        let mut top: BTreeMap<usize, (&'static str, i64)> = BTreeMap::new();
        for (&(account, code), &c) in &self.charges {
            let e = top.entry(account).or_insert((code, c));
            if c > e.1 {
                *e = (code, c);
            }
        }
        if self.stream == 1 && month <= CREDIT_LAST_MONTH {
            for (&account, &(code, c)) in &top {
                let credit = -money::scale(c, 10, 100).min(5_000 * ONE);
                if credit == 0 {
                    continue;
                }
                let mut l = month_line("Credit", account, code, product_name(code));
                l.unblended_cost = credit;
                l.blended_cost = credit;
                l.usage_amount = Some(0);
                l.description = "AWS Migration Acceleration Program Credit".into();
                self.emit(sink, l, progress)?;
            }
        }
        if let Some(&c) = self
            .charges
            .get(&(1, "AmazonEC2"))
            .filter(|_| month == REFUND_MONTH)
        {
            let mut l = month_line("Refund", 1, "AmazonEC2", "Amazon Elastic Compute Cloud");
            l.bill_type = "Refund";
            l.unblended_cost = -money::scale(c, 2, 100);
            l.blended_cost = l.unblended_cost;
            l.usage_amount = Some(0);
            l.description = "Service credit for EC2 availability event".into();
            self.emit(sink, l, progress)?;
        }
        // Tax per account and product, on that month's positive charges.
        let charges: Vec<((usize, &'static str), i64)> =
            self.charges.iter().map(|(k, v)| (*k, *v)).collect();
        for ((account, code), c) in charges {
            if c <= 0 {
                continue;
            }
            let mut l = month_line("Tax", account, code, product_name(code));
            l.usage_amount = Some(ONE);
            l.unblended_cost = money::scale(c, ctx.org.tax_bp, 10_000);
            l.blended_cost = l.unblended_cost;
            l.tax_type = ctx.org.tax_type;
            l.description = format!("Tax for product code {code}").into();
            self.emit(sink, l, progress)?;
        }
        Ok(())
    }
}

fn sp_arn(ctx: &Ctx) -> String {
    format!(
        "arn:aws:savingsplans::{}:savingsplan/{}",
        ctx.payer().id,
        uuid(key(ctx.seed, &[ctx.org.name.len() as u64, 0x5a]))
    )
}

fn product_name(code: &str) -> &'static str {
    match code {
        "ComputeSavingsPlans" => "Savings Plans for AWS Compute usage",
        "AWSSupportBusiness" => "AWS Support (Business)",
        _ => SKUS
            .iter()
            .find(|s| s.product_code == code)
            .map(|s| s.product_name)
            .unwrap_or(""),
    }
}

/// Timestamp text as the legacy CUR prints it: `2023-11-01T00:00:00.000Z`.
pub(crate) fn push_cur_ts(buf: &mut String, ms: i64) {
    if let Some(d) = chrono::DateTime::from_timestamp_millis(ms) {
        let _ = write!(buf, "{}", d.format("%Y-%m-%dT%H:%M:%S%.3fZ"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_aws_ids() {
        let id = line_item_id(42);
        assert_eq!(id.len(), 52);
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
        );
        let u = uuid(7);
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        let a = account_id(1, "acme", 3);
        assert_eq!(a.len(), 12);
    }

    #[test]
    fn every_sku_has_a_known_region_and_price() {
        assert!(SKUS.len() >= 40);
        let codes: BTreeSet<_> = SKUS.iter().map(|s| s.product_code).collect();
        assert!(codes.len() >= 20, "{}", codes.len());
        assert!(
            SKUS.iter()
                .all(|s| s.price > 0.0 && s.per_day.0 > 0.0 && s.per_day.1 >= s.per_day.0)
        );
    }
}
