-- grain: one row per figure that changed between two accepted submissions of the same department and period
with submissions as (
    select * from staging.stg_submissions where status = 'accepted'
),

submission_values as (
    select * from raw.submission_values
),

labels as (
    select vocabulary, code, label_vi from core.dim_label
),

sequenced as (
    select
        s.department_code,
        s.plan_id,
        s.period_code as submission_period,
        v.target_code,
        v.area_code,
        v.period_code,
        v.value_kind,
        v.value,
        v.cell,
        s.file_name,
        s.received_at,
        lag(v.value) over w as previous_value,
        lag(s.file_name) over w as previous_file,
        lag(s.received_at) over w as previous_received_at
    from submission_values as v
    inner join submissions as s using (submission_id)
    window w as (
        partition by s.department_code, s.plan_id, s.period_code, v.target_code, v.area_code, v.period_code, v.value_kind
        order by s.received_at, s.file_name
    )
),

changed as (
    select
        department_code,
        plan_id,
        submission_period,
        target_code,
        area_code,
        period_code,
        value_kind,
        previous_value as old_value,
        value as new_value,
        previous_file as old_file,
        file_name as new_file,
        cell,
        received_at as changed_at,
        previous_received_at,
        -- Vietnamese label of the value kind (core.dim_label)
        l.label_vi as value_kind_vi
    from sequenced
    left join labels as l on l.vocabulary = 'value_kind' and l.code = sequenced.value_kind
    where previous_file is not null and previous_value is distinct from value
)

select * from changed
order by changed_at, department_code, target_code
