//! Fair shares of evenings and Saturdays (`fair_targets`).
use super::*;

/// The sessions people would rather not work, shared out in proportion to contracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unpopular {
    Evenings,
    Saturdays,
}

impl Unpopular {
    pub const ALL: [Unpopular; 2] = [Unpopular::Evenings, Unpopular::Saturdays];

    pub fn session(self) -> Session {
        match self {
            Unpopular::Evenings => Session::Evening,
            Unpopular::Saturdays => Session::Saturday,
        }
    }

    /// A number of them in words: "1 evening", "2 Saturdays".
    pub fn count(self, n: u32) -> String {
        let word = match self {
            Unpopular::Evenings => "evening",
            Unpopular::Saturdays => "Saturday",
        };
        format!("{n} {word}{}", if n == 1 { "" } else { "s" })
    }

    fn monthly_limit(self, rules: &RotaRules) -> Option<u32> {
        match self {
            Unpopular::Evenings => rules.max_evenings_month,
            Unpopular::Saturdays => rules.max_saturdays_month,
        }
    }
}

/// One person's fair share of evenings or Saturdays over the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FairTarget {
    /// Index into `RotaInput::people`.
    pub person: usize,
    pub kind: Unpopular,
    pub target: u32,
}

/// The fair shares of evenings and Saturdays. For each site and cover need asking for the
/// session, the sessions asked for over the period (the ideal, or the minimum when higher)
/// are shared among the people the need counts who may work that session there — not on
/// leave or a day they never work, not over a monthly limit of 0 or the safe limit of
/// contacts — in proportion to their contracted half sessions over the period (less leave
/// and bank holidays), no one above what they may work (their monthly limit, the days they
/// are free), by largest remainders so the shares add up to the sessions asked for. A
/// person's shares over several sites and needs are added. People no cover asks for on those
/// sessions get no share.
pub fn fair_targets(input: &RotaInput) -> Vec<FairTarget> {
    let dates: Vec<NaiveDate> = input.period.days().collect();
    let contracts: Vec<f64> = input
        .people
        .iter()
        .map(|p| f64::from(contract_halves(p, &input.period)))
        .collect();
    let mut out = Vec::new();
    for kind in Unpopular::ALL {
        let session = kind.session();
        let patterns: Vec<DayPattern> = DayPattern::ALL
            .into_iter()
            .filter(|p| p.sessions().contains(&session))
            .collect();
        // Whether a person may work the session on a day at a site.
        let free = |person: &PersonInput, site: &SiteInput, d: NaiveDate| {
            kind.monthly_limit(&person.rules) != Some(0)
                && person.site_ids.contains(&site.id)
                && person.on_leave(d).is_none()
                && !person.rules.days_never.contains(&d.weekday())
                && patterns.iter().any(|p| {
                    is_open(site, *p, d)
                        && !person.over_contacts(*p)
                        && person.barred_by(site, *p, d).is_none()
                })
        };
        let free_days = |person: &PersonInput, site: &SiteInput| {
            dates.iter().filter(|d| free(person, site, **d)).count() as u32
        };
        let caps: Vec<u32> = input
            .people
            .iter()
            .map(|person| {
                let days = dates
                    .iter()
                    .filter(|d| input.sites.iter().any(|site| free(person, site, **d)))
                    .count() as u32;
                days.min(horizon_limit(
                    kind.monthly_limit(&person.rules),
                    &input.period,
                ))
            })
            .collect();
        // Sessions asked for per site and need.
        let mut asked: BTreeMap<(usize, &CoverNeed), u32> = BTreeMap::new();
        for (i, site) in input.sites.iter().enumerate() {
            for req in input
                .cover
                .iter()
                .filter(|c| c.session == session && c.site_id == site.id)
            {
                let open = dates
                    .iter()
                    .filter(|d| {
                        d.weekday() == req.weekday
                            && patterns.iter().any(|p| is_open(site, *p, **d))
                    })
                    .count() as u32;
                *asked.entry((i, &req.need)).or_default() += open * req.minimum.max(req.ideal);
            }
        }
        let mut targets: BTreeMap<usize, u32> = BTreeMap::new();
        for ((site, need), total) in asked {
            let site = &input.sites[site];
            let pool: Vec<(usize, u32)> = input
                .people
                .iter()
                .enumerate()
                .filter(|(e, person)| {
                    caps[*e] > 0 && contracts[*e] > 0.0 && need.counts(person.role, &person.skills)
                })
                .map(|(e, person)| (e, caps[e].min(free_days(person, site))))
                .filter(|&(_, cap)| cap > 0)
                .collect();
            let weights: Vec<f64> = pool.iter().map(|&(e, _)| contracts[e]).collect();
            let limits: Vec<u32> = pool.iter().map(|&(_, cap)| cap).collect();
            for ((e, _), share) in pool.iter().zip(apportion(total, &weights, &limits)) {
                *targets.entry(*e).or_default() += share;
            }
        }
        out.extend(targets.into_iter().map(|(person, target)| FairTarget {
            person,
            kind,
            target: target.min(caps[person]),
        }));
    }
    out
}

/// Shares `total` in proportion to `weights` (positive), none above its `caps` entry: those
/// whose share would pass their cap get the cap and the rest is shared again; then the whole
/// parts, and the units left over to the largest remainders (ties to the first).
pub(super) fn apportion(total: u32, weights: &[f64], caps: &[u32]) -> Vec<u32> {
    let mut out = vec![0u32; weights.len()];
    let mut capped = vec![false; weights.len()];
    let mut left = total.min(caps.iter().sum());
    loop {
        let sum: f64 = (0..weights.len())
            .filter(|&i| !capped[i])
            .map(|i| weights[i])
            .sum();
        if sum <= 0.0 {
            return out;
        }
        let over: Vec<usize> = (0..weights.len())
            .filter(|&i| !capped[i] && f64::from(left) * weights[i] / sum >= f64::from(caps[i]))
            .collect();
        if over.is_empty() {
            let quota = |i: usize| f64::from(left) * weights[i] / sum;
            let open: Vec<usize> = (0..weights.len()).filter(|&i| !capped[i]).collect();
            for &i in &open {
                out[i] = quota(i).floor() as u32;
            }
            let mut rest = left - open.iter().map(|&i| out[i]).sum::<u32>();
            let mut by_remainder = open.clone();
            by_remainder.sort_by(|&a, &b| {
                let (ra, rb) = (quota(a) - quota(a).floor(), quota(b) - quota(b).floor());
                rb.total_cmp(&ra).then(a.cmp(&b))
            });
            for i in by_remainder {
                if rest == 0 {
                    break;
                }
                if out[i] < caps[i] {
                    out[i] += 1;
                    rest -= 1;
                }
            }
            return out;
        }
        for i in over {
            capped[i] = true;
            out[i] = caps[i];
            left -= caps[i];
        }
    }
}
