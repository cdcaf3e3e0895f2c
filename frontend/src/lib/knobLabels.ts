/**
 * Plain-language names of the methods' knobs for the advanced settings. The *Expert* toggle shows the papers'
 * names (the knob names of `GET /methods` and of the API's `knobs`) instead. A knob missing here shows its name.
 */
export const KNOB_LABELS: Record<string, string> = {
  // PrivSyn
  one_way_fraction: "Budget share for single columns",
  selection_fraction: "Budget share for choosing column pairs",
  rare_threshold: "Rare-value threshold (× noise)",
  max_clique_cells: "Largest combined table (cells)",
  consist_iterations: "Consistency rounds",
  update_iterations: "Record-fitting rounds",
  alpha: "Initial fitting step",
  alpha_decay: "Fitting step decay",
  alpha_decay_step: "Rounds between step decays",
  refill_schedule: "Record replacement schedule",
  append_attributes: "Fill loosely linked columns afterwards",
  separate_and_join: "Fit unrelated column groups separately",
  // AIM
  degree: "Columns per measured combination",
  max_cells: "Largest measured combination (cells)",
  max_model_size: "Model size limit (MB)",
  max_iters: "Final fitting iterations",
  round_iters: "Fitting iterations per round",
  num_marginals: "Measured combinations to consider (sample)",
  rounds: "Maximum measurement rounds",
  rounds_per_attribute: "Rounds per column (first estimate)",
  compress_domain: "Merge rare values before measuring",
  // MST
  iters: "Fitting iterations",
};

export function knobLabel(name: string, expert: boolean): string {
  return expert ? name : (KNOB_LABELS[name] ?? name);
}
