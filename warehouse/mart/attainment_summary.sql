-- grain: one row per plan (group_no null) and one per plan × group
with attainment as (
    select * from mart.target_attainment
),

plans as (
    select distinct plan_id, plan_kind, start_year, plan_year from core.dim_target
),

counted as (
    select
        plan_id,
        group_no,
        count(*) as targets,
        count(*) filter (where status = 'achieved') as achieved,
        count(*) filter (where status = 'on_track') as on_track,
        count(*) filter (where status = 'at_risk') as at_risk,
        count(*) filter (where status = 'not_achieved') as not_achieved,
        count(*) filter (where status = 'no_data') as no_data,
        max(as_of) as as_of
    from attainment
    group by grouping sets ((plan_id), (plan_id, group_no))
),

worded as (
    select
        plan_id,
        group_no,
        targets,
        achieved,
        on_track,
        at_risk,
        not_achieved,
        no_data,
        achieved + on_track as meeting,
        -- a multi-year plan is reported over its term, as the province does at term end
        case when p.plan_kind = 'annual' then '' else 'Giai đoạn ' || p.start_year || '–' || p.plan_year || ': ' end
        || 'Ước đạt và vượt ' || (achieved + on_track) || '/' || targets || ' chỉ tiêu' as summary_vi,
        case when p.plan_kind = 'annual' then '' else p.start_year || '–' || p.plan_year || ' term: ' end
        || 'Estimated to meet or exceed ' || (achieved + on_track) || ' of ' || targets || ' targets' as summary_en,
        as_of
    from counted
    left join plans as p using (plan_id)
)

select * from worded
order by plan_id, group_no nulls first
