-- grain: one row per plan × target × area × as-of date (the slice of one run, appended to the history)
with attainment as (
    select * from mart.target_attainment
),

slice as (
    select
        -- keys
        plan_id,
        target_code,
        area_code,
        as_of,
        -- where the target stood
        status,
        status_vi,
        attainment_pct,
        actual_value,
        actual_period,
        projected_value,
        projection_basis,
        projection_basis_vi,
        -- when the run recorded it
        current_timestamp as recorded_at
    from attainment
)

select * from slice
