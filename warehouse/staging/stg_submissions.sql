-- grain: one row per submission, with whether it is the department's current one for its period
with source as (
    select * from raw.submissions
),

ordered as (
    -- a department's files for a period in order: receipt time, ties (files of the same scan)
    -- broken by file name (-lan-1 before -lan-2); 1 is the latest. The same order is in
    -- chitieu/submissions/intake.py and stg_department_observations (as of the evaluation date)
    select
        *,
        row_number() over (
            partition by department_code, plan_id, period_code
            order by received_at desc, file_name desc
        ) as recency
    from source
),

ranked as (
    select
        *,
        -- a file whose plan or period could not be read supersedes nothing and is not superseded
        recency = 1 or plan_id is null or period_code is null as is_latest,
        status = 'accepted' and recency = min(recency) filter (where status = 'accepted') over (
            partition by department_code, plan_id, period_code
        ) as is_current
    from ordered
),

labelled as (
    select
        submission_id,
        department_code,
        plan_id,
        period_code,
        file_name,
        received_at,
        status,
        is_latest,
        is_current,
        case when status = 'rejected' then 'rejected' when is_current then 'accepted' else 'superseded' end as effective_status,
        value_count,
        error_count,
        warning_count
    from ranked
)

select * from labelled
