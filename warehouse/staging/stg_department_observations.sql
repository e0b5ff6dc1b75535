-- grain: one row per department figure in force on the evaluation date (plan × target × area × period), from the current accepted submissions received by then
with evaluation as (
    select as_of from core.evaluation_date
),

submissions as (
    -- the department's current file for each period among those received by the evaluation date
    select s.*
    from staging.stg_submissions as s
    cross join evaluation as e
    where s.status = 'accepted' and cast(s.received_at as date) <= e.as_of
    qualify row_number() over (
        partition by s.department_code, s.plan_id, s.period_code
        order by s.received_at desc, s.file_name desc
    ) = 1
),

submission_values as (
    select * from raw.submission_values
),

periods as (
    select period_code, end_date from core.dim_period
),

owners as (
    select plan_id, target_code, department_code as owner_department from core.dim_target
),

flags as (
    -- validation warnings (outliers, missing estimates...) flag the figure without rejecting it
    select submission_id, cell, string_agg(distinct rule, ';' order by rule) as quality_flags
    from raw.submission_problems
    where severity = 'warning'
    group by all
),

joined as (
    select
        s.plan_id,
        v.target_code,
        v.area_code,
        v.period_code,
        v.value,
        'reported' as data_status,
        'department' as source_kind,
        s.file_name as source_file,
        v.cell as source_locator,
        s.received_at as loaded_at,
        s.submission_id as run_id,
        f.quality_flags,
        p.end_date as submission_period_end,
        -- point in time: the figure is known from the file's receipt, as of its reporting period
        cast(s.received_at as date) as received_on,
        p.end_date as reported_through,
        coalesce(s.department_code = o.owner_department, true) as from_owner
    from submission_values as v
    inner join submissions as s using (submission_id)
    inner join periods as p on p.period_code = s.period_code
    left join owners as o on o.plan_id = s.plan_id and o.target_code = v.target_code
    left join flags as f on f.submission_id = v.submission_id and f.cell = v.cell
),

latest as (
    -- the owner's figure wins over a co-reporter's; an estimate or previous-year figure
    -- repeated in several periods' files: the latest period's wins
    select * exclude (submission_period_end, from_owner)
    from joined
    qualify row_number() over (
        partition by plan_id, target_code, area_code, period_code
        order by from_owner desc, submission_period_end desc, loaded_at desc, source_file desc
    ) = 1
)

select * from latest
