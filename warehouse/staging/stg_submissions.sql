-- grain: one row per submission, with whether it is the department's current one for its period
with source as (
    select * from raw.submissions
),

ranked as (
    select
        *,
        status = 'accepted' and row_number() over (
            partition by department_code, plan_id, period_code, status = 'accepted'
            order by received_at desc, file_name desc
        ) = 1 as is_current
    from source
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
        is_current,
        case when status = 'rejected' then 'rejected' when is_current then 'accepted' else 'superseded' end as effective_status,
        value_count,
        error_count,
        warning_count
    from ranked
)

select * from labelled
