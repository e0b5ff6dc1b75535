-- grain: one row per plan target at its own area, with its baseline, latest in-year reading and year-end estimate
with targets as (
    select * from core.dim_target
),

observations as (
    select
        o.*,
        -- among readings ending on the same day, prefer the final year, then cumulative forms
        case o.period_type
            when 'year' then 1 when 'cumulative_9m' then 2 when 'cumulative_6m' then 2
            when 'quarter' then 3 when 'month' then 4 else 5
        end as period_rank
    from core.fact_observation as o
),

baseline as (
    select o.plan_id, o.target_code, o.area_code, o.value, o.period_code, o.source_kind
    from observations as o
    inner join targets as t using (plan_id, target_code, area_code)
    where o.period_year = t.baseline_year and o.period_type in ('year', 'year_estimate')
    qualify row_number() over (
        partition by o.plan_id, o.target_code, o.area_code
        order by (o.period_type = 'year') desc, o.source_priority, o.loaded_at desc
    ) = 1
),

latest as (
    select o.*
    from observations as o
    inner join targets as t using (plan_id, target_code, area_code)
    where o.period_year = t.plan_year and o.period_type <> 'year_estimate'
    qualify row_number() over (
        partition by o.plan_id, o.target_code, o.area_code
        order by o.period_end desc, o.period_rank, o.source_priority, o.loaded_at desc
    ) = 1
),

estimate as (
    select o.*
    from observations as o
    inner join targets as t using (plan_id, target_code, area_code)
    where o.period_year = t.plan_year and o.period_type = 'year_estimate'
    qualify row_number() over (
        partition by o.plan_id, o.target_code, o.area_code
        order by o.source_priority, o.loaded_at desc
    ) = 1
),

national as (
    select n.target_code, n.indicator_code, n.year, n.value
    from core.fact_national_indicator as n
    inner join (select distinct target_code, plan_year from targets) as t
        on t.target_code = n.target_code and n.year <= t.plan_year
    qualify row_number() over (partition by n.target_code order by n.year desc) = 1
),

joined as (
    select
        -- target
        t.plan_id,
        t.target_code,
        t.area_code,
        -- baseline
        b.value as baseline_value,
        b.period_code as baseline_period,
        -- latest in-year reading
        l.value as latest_value,
        l.period_code as latest_period,
        l.source_kind as latest_source_kind,
        l.source_file || ' (' || l.source_locator || ')' as latest_source_ref,
        l.data_status as latest_data_status,
        l.quality_flags as latest_quality_flags,
        -- year-end estimate
        e.value as estimate_value,
        e.period_code as estimate_period,
        e.source_kind as estimate_source_kind,
        e.source_file || ' (' || e.source_locator || ')' as estimate_source_ref,
        e.data_status as estimate_data_status,
        e.quality_flags as estimate_quality_flags,
        -- national comparator
        n.indicator_code as national_indicator,
        n.year as national_year,
        n.value as national_value
    from targets as t
    left join baseline as b using (plan_id, target_code, area_code)
    left join latest as l using (plan_id, target_code, area_code)
    left join estimate as e using (plan_id, target_code, area_code)
    left join national as n on n.target_code = t.target_code
)

select * from joined
