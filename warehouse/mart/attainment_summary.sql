-- grain: one row per plan (group_no null) and one per plan × group
with attainment as (
    select * from mart.target_attainment
),

plans as (
    select distinct plan_id, plan_kind, start_year, plan_year from core.dim_target
),

judged as (
    select
        *,
        status <> 'no_data' as has_data,
        status in ('achieved', 'on_track') as is_meeting,
        -- a final verdict: decided on a final full-year (or year-to-date) figure
        status in ('achieved', 'not_achieved') and not provisional as is_final_verdict,
        coalesce(counted_as, target_code) as component
    from attainment
),

components as (
    -- the province's component targets: a component meets when every member with data meets
    select
        plan_id,
        min(group_no) as group_no,
        component,
        bool_or(has_data) as has_data,
        bool_or(has_data) and bool_and(is_meeting or not has_data) as is_meeting
    from judged
    group by plan_id, component
),

counted as (
    select
        plan_id,
        group_no,
        count(*) as targets,
        count(*) filter (where has_data) as targets_with_data,
        count(*) filter (where status = 'achieved') as achieved,
        count(*) filter (where status = 'on_track') as on_track,
        count(*) filter (where status = 'at_risk') as at_risk,
        count(*) filter (where status = 'not_achieved') as not_achieved,
        count(*) filter (where status = 'no_data') as no_data,
        count(*) filter (where provisional) as provisional,
        coalesce(bool_and(is_final_verdict) filter (where has_data), false) as all_final,
        string_agg(name_vi, '; ' order by group_no, item_no) filter (where not has_data)
            as no_data_targets,
        max(as_of) as as_of
    from judged
    group by grouping sets ((plan_id), (plan_id, group_no))
),

components_counted as (
    select
        plan_id,
        group_no,
        count(*) as components,
        count(*) filter (where has_data) as components_with_data,
        count(*) filter (where is_meeting) as components_meeting
    from components
    group by grouping sets ((plan_id), (plan_id, group_no))
),

worded as (
    select
        c.plan_id,
        c.group_no,
        c.targets,
        c.targets_with_data,
        c.achieved,
        c.on_track,
        c.at_risk,
        c.not_achieved,
        c.no_data,
        c.provisional,
        c.achieved + c.on_track as meeting,
        k.components,
        k.components_with_data,
        k.components_meeting,
        c.all_final,
        c.no_data_targets,
        -- a multi-year plan is reported over its term, as the province does at term end
        case when p.plan_kind = 'annual' then '' else 'Giai đoạn ' || p.start_year || '–' || p.plan_year || ': ' end
        || (case when c.all_final then 'Đạt và vượt ' else 'Ước đạt và vượt ' end)
        || (c.achieved + c.on_track) || '/' || c.targets_with_data || ' chỉ tiêu có số liệu'
        || ' (kế hoạch ' || c.targets || ' chỉ tiêu); theo chỉ tiêu thành phần của tỉnh: '
        || k.components_meeting || '/' || k.components_with_data as summary_vi,
        case when p.plan_kind = 'annual' then '' else p.start_year || '–' || p.plan_year || ' term: ' end
        || (case when c.all_final then 'Met or exceeded ' else 'Estimated to meet or exceed ' end)
        || (c.achieved + c.on_track) || ' of the ' || c.targets_with_data || ' targets with data'
        || ' (' || c.targets || ' in the plan); as the province counts component targets: '
        || k.components_meeting || ' of ' || k.components_with_data as summary_en,
        c.as_of
    from counted as c
    inner join components_counted as k
        on k.plan_id = c.plan_id and k.group_no is not distinct from c.group_no
    left join plans as p on p.plan_id = c.plan_id
)

select * from worded
order by plan_id, group_no nulls first
