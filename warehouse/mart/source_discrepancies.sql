-- grain: one row per plan target × area × period where the statistics office and another source both give a figure
with observations as (
    select * from core.fact_observation
),

targets as (
    select plan_id, target_code, area_code, name_vi, name_en, unit, measure_unit from core.dim_target
),

official as (
    select * from observations where source_kind = 'statistics'
),

other as (
    select * from observations where source_kind <> 'statistics'
),

labels as (
    select vocabulary, code, label_vi from core.dim_label
),

paired as (
    select
        -- keys
        o.plan_id,
        o.target_code,
        o.area_code,
        o.period_code,
        t.name_vi,
        t.name_en,
        t.measure_unit as unit,
        -- figures
        o.value as official_value,
        o.data_status as official_status,
        x.source_kind as other_source,
        x.value as other_value,
        x.value - o.value as difference,
        case when o.value <> 0 then round((x.value - o.value) / abs(o.value) * 100, 2) end as difference_pct,
        -- threshold: points for rate units, relative otherwise
        case
            when t.measure_unit in ('%', '‰', 'điểm %') then abs(x.value - o.value) > getvariable('points_threshold')
            else abs(x.value - o.value) > abs(o.value) * getvariable('relative_threshold_pct') / 100
        end as exceeds_threshold,
        -- provenance
        o.source_file || ' (' || o.source_locator || ')' as official_source_ref,
        x.source_file || ' (' || x.source_locator || ')' as other_source_ref,
        -- the day the disagreement could first be seen: the later of the two figures' receipt
        greatest(o.received_on, x.received_on) as known_since,
        -- Vietnamese labels of the codes (core.dim_label)
        ld.label_vi as official_status_vi,
        ls.label_vi as other_source_vi
    from official as o
    inner join other as x using (plan_id, target_code, area_code, period_code)
    inner join targets as t using (plan_id, target_code, area_code)
    left join labels as ld on ld.vocabulary = 'data_status' and ld.code = o.data_status
    left join labels as ls on ls.vocabulary = 'source_kind' and ls.code = x.source_kind
)

select * from paired
order by exceeds_threshold desc, plan_id, target_code, period_code
