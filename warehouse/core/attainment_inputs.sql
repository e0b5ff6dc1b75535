-- grain: one row per plan target at its own area, with its baselines, latest in-year reading and year-end estimate
with targets as (
    select * from core.dim_target
),

precedence as (
    -- the rule is data: sources/reference/source_precedence.yaml
    select * from core.dim_figure_precedence
),

observations as (
    select
        o.*,
        -- among readings ending on the same day, prefer the final year, then cumulative forms
        case o.period_type
            when 'year' then 1 when 'cumulative_9m' then 2 when 'cumulative_6m' then 2
            when 'quarter' then 3 when 'month' then 4 else 5
        end as period_rank,
        coalesce(p.precedence_rank, 99) as precedence_rank,
        coalesce(p.is_final, false) as is_final,
        -- the vintage is the day a figure reached the pipeline; figures of one day tie
        date_trunc('day', o.loaded_at) as vintage
    from core.fact_observation as o
    left join precedence as p
        on p.data_status = o.data_status
        and p.period_kind = case
            when o.period_type in ('year', 'year_estimate') then o.period_type else 'in_year'
        end
),

baseline as (
    select o.plan_id, o.target_code, o.area_code, o.value, o.period_code, o.source_kind
    from observations as o
    inner join targets as t using (plan_id, target_code, area_code)
    where o.period_year = t.baseline_year and o.period_type in ('year', 'year_estimate')
    qualify row_number() over (
        partition by o.plan_id, o.target_code, o.area_code
        order by (o.period_type = 'year') desc, o.precedence_rank, o.source_priority,
            o.vintage desc, o.loaded_at desc
    ) = 1
),

year_candidates as (
    -- for one period: a final figure first, then the source priority, then the later vintage
    select o.*
    from observations as o
    inner join targets as t using (plan_id, target_code, area_code)
    where o.period_year = t.plan_year and o.period_type in ('year', 'year_estimate')
    qualify row_number() over (
        partition by o.plan_id, o.target_code, o.area_code, o.period_code
        order by o.precedence_rank, o.source_priority, o.vintage desc, o.loaded_at desc
    ) = 1
),

year_figure as (
    -- the full year against its estimate: a final figure beats an estimate, else the later vintage
    select *
    from year_candidates
    qualify row_number() over (
        partition by plan_id, target_code, area_code
        order by precedence_rank, vintage desc, (period_type = 'year') desc, source_priority
    ) = 1
),

latest as (
    -- the latest reading: a full-year figure only when it won year_figure
    select r.*
    from (
        select o.*
        from observations as o
        inner join targets as t using (plan_id, target_code, area_code)
        where o.period_year = t.plan_year and o.period_type not in ('year', 'year_estimate')
        union all by name
        select * from year_figure where period_type = 'year'
    ) as r
    qualify row_number() over (
        partition by r.plan_id, r.target_code, r.area_code
        order by r.period_end desc, r.period_rank, r.precedence_rank, r.source_priority,
            r.vintage desc, r.loaded_at desc
    ) = 1
),

same_period as (
    -- the previous year's figure for the latest reading's period ("cùng kỳ năm trước")
    select l.plan_id, l.target_code, l.area_code, o.value, o.period_code
    from latest as l
    inner join targets as t using (plan_id, target_code, area_code)
    inner join observations as o
        on o.plan_id = l.plan_id
        and o.target_code = l.target_code
        and o.area_code = l.area_code
        and o.period_year = t.baseline_year
        and o.period_type = l.period_type
        and month(o.period_end) = month(l.period_end)
    where l.period_type <> 'year'
    qualify row_number() over (
        partition by l.plan_id, l.target_code, l.area_code
        order by o.precedence_rank, o.source_priority, o.vintage desc, o.loaded_at desc
    ) = 1
),

estimate as (
    select o.*
    from observations as o
    inner join targets as t using (plan_id, target_code, area_code)
    where o.period_year = t.plan_year and o.period_type = 'year_estimate'
    qualify row_number() over (
        partition by o.plan_id, o.target_code, o.area_code
        order by o.precedence_rank, o.source_priority, o.vintage desc, o.loaded_at desc
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
        -- previous year's same period
        s.value as same_period_value,
        s.period_code as same_period_period,
        -- latest in-year reading
        l.value as latest_value,
        l.period_code as latest_period,
        l.source_kind as latest_source_kind,
        l.source_file || ' (' || l.source_locator || ')' as latest_source_ref,
        l.data_status as latest_data_status,
        l.is_final as latest_is_final,
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
    left join same_period as s using (plan_id, target_code, area_code)
    left join estimate as e using (plan_id, target_code, area_code)
    left join national as n on n.target_code = t.target_code
)

select * from joined
