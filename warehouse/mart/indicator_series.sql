-- grain: one row per plan target × area × period with a figure in force (cumulative values, estimate, plan)
with observations as (
    select * from core.fact_observation
),

targets as (
    select * from core.dim_target
),

labels as (
    select vocabulary, code, label_vi from core.dim_label
),

in_force as (
    -- one figure per target, area and period: the highest-precedence source, then the latest load
    select *
    from observations
    qualify row_number() over (
        partition by plan_id, target_code, area_code, period_code
        order by source_priority, loaded_at desc
    ) = 1
),

series as (
    select
        -- keys
        o.plan_id,
        o.target_code,
        o.area_code,
        o.period_code,
        -- period
        o.period_type,
        o.period_year,
        o.period_end,
        -- target
        t.group_no,
        t.name_vi,
        t.name_en,
        t.measure_unit as unit,
        t.target_value as plan_value,
        t.unit as plan_unit,
        -- figure
        o.value,
        o.period_type = 'year_estimate' as is_estimate,
        o.period_year = t.baseline_year as is_baseline,
        o.data_status,
        -- provenance
        o.source_kind,
        o.source_file,
        o.source_locator,
        -- Vietnamese labels of the codes (core.dim_label)
        lp.label_vi as period_type_vi,
        ld.label_vi as data_status_vi,
        ls.label_vi as source_kind_vi
    from in_force as o
    inner join targets as t using (plan_id, target_code)
    left join labels as lp on lp.vocabulary = 'period_type' and lp.code = o.period_type
    left join labels as ld on ld.vocabulary = 'data_status' and ld.code = o.data_status
    left join labels as ls on ls.vocabulary = 'source_kind' and ls.code = o.source_kind
)

select * from series
order by plan_id, group_no, target_code, area_code, period_end, period_type
