-- grain: one row per statistics-office value of a plan target (plan × target × area × period)
with source as (
    select * from raw.pxweb_observations
    where target_code is not null and value is not null
),

targets as (
    select plan_id, target_code, area_code, plan_year, baseline_year from core.dim_target
),

periods as (
    select period_code, year from core.dim_period
),

renamed as (
    select
        -- keys
        t.plan_id,
        s.target_code,
        s.area_code,
        s.period_code,
        -- figures
        s.value,
        s.data_status,
        -- provenance
        'statistics' as source_kind,
        s.url as source_file,
        s.table_id || ': ' || s.area_label || ' × ' || s.period_label as source_locator,
        s.retrieved_at as loaded_at,
        s.run_id
    from source as s
    inner join periods as p using (period_code)
    inner join targets as t
        on t.target_code = s.target_code
        and t.area_code = s.area_code
        and p.year between t.baseline_year and t.plan_year
)

select * from renamed
