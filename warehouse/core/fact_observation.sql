-- grain: one row per observation (source_kind × target × area × period) known on the evaluation date, with its period's calendar
with observations as (
    select * from staging.stg_observations
),

periods as (
    select * from core.dim_period
),

evaluation as (
    select as_of from core.evaluation_date
),

sources as (
    -- priorities are data: sources/reference/source_precedence.yaml
    select source_kind, source_priority from core.dim_source_kind
),

joined as (
    select
        -- keys
        md5(concat_ws('|', o.source_kind, o.plan_id, o.target_code, o.area_code, o.period_code)) as observation_id,
        o.plan_id,
        o.target_code,
        o.area_code,
        o.period_code,
        -- period
        p.period_type,
        p.year as period_year,
        p.end_date as period_end,
        p.elapsed_fraction,
        -- figures
        o.value,
        o.data_status,
        o.quality_flags,
        -- provenance
        o.source_kind,
        s.source_priority,
        o.source_file,
        o.source_locator,
        o.loaded_at,
        o.run_id,
        -- point in time: when the figure became known
        coalesce(o.received_on, reported.through) as received_on,
        reported.through as reported_through
    from observations as o
    inner join periods as p using (period_code)
    inner join sources as s using (source_kind)
    cross join lateral (
        -- an estimate from a source without a reporting period is first made with the nine-month report
        select coalesce(
            o.reported_through,
            case when p.period_type = 'year_estimate' then make_date(p.year, 9, 30) else p.end_date end
        ) as through
    ) as reported
),

known as (
    select j.*
    from joined as j
    cross join evaluation as e
    where j.reported_through <= e.as_of and j.received_on <= e.as_of
)

select * from known
