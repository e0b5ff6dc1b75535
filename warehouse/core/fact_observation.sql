-- grain: one row per observation (source_kind × target × area × period), with its period's calendar
with observations as (
    select * from staging.stg_observations
),

periods as (
    select * from core.dim_period
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
        o.run_id
    from observations as o
    inner join periods as p using (period_code)
    inner join sources as s using (source_kind)
)

select * from joined
