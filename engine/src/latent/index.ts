export { latentOde, isLatentOde, fitObservationScale, type LatentOdeModel, type LatentOdeOptions, type LatentOdeLayout } from './latentOde';
export { latentElbo, type ElboResult } from './elbo';
export { latentPredict, rmse, type SeriesPrediction, type Rmse } from './predict';
export { rnnBaseline, rnnLoss, rnnPredict, fitRnnScale, type RnnBaseline, type RnnBaselineOptions } from './rnnBaseline';
export { spiralSeries, sortObservations, checkTimes as checkSeriesTimes, unionTimes, SeriesError, type LatentSeries } from './series';
